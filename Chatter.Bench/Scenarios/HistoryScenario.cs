using System.Diagnostics;
using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// <c>history</c>: one client stores N messages (spread over enough threads for the server's per-thread replay limit of
/// 100), then R new clients log in one after another, each timed from the start of its connection to the last of the N
/// replayed frames. N must be within the server's replay bounds (<c>Chatter:History:ReplayMaxTotal</c>, default 1,000).
/// </summary>
internal static class HistoryScenario
{
    private const int WriterWindow = 64;
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(30);

    public static async Task<ScenarioResult> RunAsync(BenchTarget target, ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        var count = settings.Messages ?? 1000;
        var threads = settings.Threads ?? (int)Math.Ceiling(count / 100.0);
        await using var pool = ClientPool.Empty();

        progress.Phase($"storing {count:N0} messages in {threads} threads");
        await using (var writer = await pool.ConnectOneAsync(target, settings with { SignalRShare = 0 }, 0, new DeliveryTracker(1), long.MaxValue / 2, cancellationToken))
        {
            await WriteAsync(writer, settings, count, threads, cancellationToken);
            await writer.CloseAsync(cancellationToken);
        }

        var result = new ScenarioResult("history", target.Name);
        var times = new LatencyHistogram();
        var resources = RunResources.Start(settings.ServerPid, settings.ServerAllocations);
        for (var i = 0; i < settings.Repeat; i++)
        {
            progress.Phase($"login {i + 1}/{settings.Repeat} with a replay of {count:N0}");
            var tracker = new DeliveryTracker(1);
            var replayed = tracker.WaitForDeliveredAsync(count);
            var began = Stopwatch.GetTimestamp();
            await using var client = await pool.ConnectOneAsync(target, settings, 1 + i, tracker, since: null, cancellationToken);
            try
            {
                await replayed.WaitAsync(ReplayTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                result.Notes.Add($"a login got {tracker.Delivered:N0} of the {count:N0} messages in {ReplayTimeout.TotalSeconds} s: is N within the server's replay bounds?");
                break;
            }

            times.Record((long)Stopwatch.GetElapsedTime(began).TotalMicroseconds);
            await client.CloseAsync(cancellationToken);
        }

        await resources.StopAsync();
        var median = times.ValueAt(50) / 1e6;
        return result.Add("messages", "messages replayed per login", count)
            .Add("threads", "threads", threads)
            .Add("logins", "logins timed", times.Count)
            .Add("replayFramesPerSecond", "replayed frames/s (median login)", median > 0 ? count / median : 0)
            .AddLatency(times, "login to last frame")
            .AddResources(resources);
    }

    private static async Task WriteAsync(IBenchClient writer, ScenarioSettings settings, int count, int threads, CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(WriterWindow, WriterWindow);
        writer.Acknowledged = _ => window.Release();
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync(cancellationToken);
            var text = BenchMessage.Create(settings.Run, BenchMessage.Measured, 0, i, Stopwatch.GetTimestamp(), settings.Size);
            await writer.SendWithAckAsync($"bench{i % threads}", text, i, cancellationToken);
        }

        for (var i = 0; i < WriterWindow; i++)
        {
            await window.WaitAsync(cancellationToken);
        }

        if (writer.Errors > 0)
        {
            throw new BenchException($"the server refused {writer.Errors} history messages: {writer.FirstError}");
        }
    }
}
