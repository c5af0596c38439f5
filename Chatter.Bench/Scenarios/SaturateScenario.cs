using System.Diagnostics;
using Chatter.Bench.Clients;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// <c>saturate</c>: K senders send as fast as a window of W unconfirmed messages allows (raw clients ask for an ack
/// with <c>"ref"</c>; SignalR clients invoke <c>SendMessage</c>, whose return is the ack), for a duration. The figure is
/// deliveries per second; latency here is mostly queueing.
/// </summary>
internal static class SaturateScenario
{
    private static readonly TimeSpan FinalAckTimeout = TimeSpan.FromSeconds(30);

    public static Task<ScenarioResult> RunAsync(BenchTarget target, ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(settings.DurationSeconds);
        return BroadcastRun.RunAsync("saturate", target, settings, progress, SendAsync, $"window {settings.Window}", cancellationToken);

        async Task SendAsync(IBenchClient sender, long[] sent, CancellationToken token)
        {
            using var window = new SemaphoreSlim(settings.Window, settings.Window);
            sender.Acknowledged = _ => window.Release();
            var start = Stopwatch.GetTimestamp();
            long sequence = 0;
            while (Stopwatch.GetElapsedTime(start) < duration)
            {
                await window.WaitAsync(token);
                await sender.SendWithAckAsync("bench", BenchMessage.Create(settings.Run, BenchMessage.Measured, sender.Index, sequence, Stopwatch.GetTimestamp(), settings.Size), sequence, token);
                Volatile.Write(ref sent[sender.Index], ++sequence);
            }

            // Every message in flight is acknowledged before the run counts the deliveries.
            for (var i = 0; i < settings.Window; i++)
            {
                if (!await window.WaitAsync(FinalAckTimeout, token))
                {
                    throw new BenchException($"sender {sender.Index}: {settings.Window - i} messages not acknowledged within {FinalAckTimeout.TotalSeconds} s");
                }
            }

            sender.Acknowledged = null;
        }
    }
}
