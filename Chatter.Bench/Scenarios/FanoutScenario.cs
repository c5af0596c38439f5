using System.Diagnostics;
using Chatter.Bench.Clients;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// <c>fanout</c>: N clients, K of them sending at a fixed rate each for a duration (or a number of messages), every
/// message to the N−1 others. A message carries the time it was due, not the time it went out, so a server that makes
/// the senders wait shows as latency (no coordinated omission). With <c>--attack-logins-per-second</c> wrong logins
/// arrive meanwhile (<see cref="LoginAttack"/>).
/// </summary>
internal static class FanoutScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchTarget target, ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        var perSender = settings.Messages ?? (long)Math.Round(settings.Rate * settings.DurationSeconds);
        var senders = Math.Min(settings.Senders, settings.Clients);
        var ticksPerMessage = Stopwatch.Frequency / settings.Rate;
        var start = 0L;
        await using var attack = LoginAttack.For(target, settings);
        var sending = $"{senders} × {settings.Rate:N0} msg/s" + (attack is null ? "" : $", {settings.AttackLoginsPerSecond:N0} wrong logins/s from {settings.AttackAddresses} addresses");
        return await BroadcastRun.RunAsync("fanout", target, settings, progress, SendAsync, sending, cancellationToken, attack);

        async Task SendAsync(IBenchClient sender, long[] sent, CancellationToken token)
        {
            // All senders share one schedule, each offset by a fraction of the interval so their sends interleave.
            Interlocked.CompareExchange(ref start, Stopwatch.GetTimestamp(), 0);
            var origin = Volatile.Read(ref start) + (long)(ticksPerMessage * sender.Index / senders);
            long sequence = 0;
            while (sequence < perSender)
            {
                var due = Math.Min(perSender, (long)Math.Floor((Stopwatch.GetTimestamp() - origin) / ticksPerMessage) + 1);
                for (; sequence < due; sequence++)
                {
                    var intended = origin + (long)(sequence * ticksPerMessage);
                    await sender.SendAsync("bench", BenchMessage.Create(settings.Run, BenchMessage.Measured, sender.Index, sequence, intended, settings.Size), token);
                    Volatile.Write(ref sent[sender.Index], sequence + 1);
                }

                if (sequence < perSender)
                {
                    // Sleep until the next message is due (timers resolve to about a millisecond; a late wake-up sends
                    // every message that became due, each stamped with its own due time).
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), origin + (long)(sequence * ticksPerMessage));
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, token);
                    }
                }
            }
        }
    }
}
