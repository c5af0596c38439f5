using System.Diagnostics;
using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// The shared shape of <c>fanout</c> and <c>saturate</c>: connect the clients, check they are all in the broadcast,
/// run one send loop per sender, wait until every expected delivery arrived (or none arrived for the drain timeout),
/// then count delivered, lost and duplicated and merge the latencies. Every message goes to all clients but its sender.
/// </summary>
internal static class BroadcastRun
{
    /// <summary>One sender's loop: sends through <paramref name="sender"/>, counting each send in <c>sent[senderIndex]</c>.</summary>
    public delegate Task SendLoop(IBenchClient sender, long[] sent, CancellationToken cancellationToken);

    public static async Task<ScenarioResult> RunAsync(
        string scenario, BenchTarget target, ScenarioSettings settings, RunProgress progress, SendLoop sendLoop, string sending, CancellationToken cancellationToken, LoginAttack? attack = null)
    {
        var senders = Math.Min(settings.Senders, settings.Clients);
        await using var pool = await ClientPool.ConnectAsync(target, settings, senders, progress, cancellationToken);
        await pool.WaitAllInBroadcastAsync(settings, progress, cancellationToken);

        var sent = new long[senders];
        var receivers = settings.Clients - 1;
        long Expected() => sent.Sum(s => Volatile.Read(ref s)) * receivers;
        long Delivered() => pool.Clients.Sum(c => c.Tracker.Delivered);

        var resources = RunResources.Start(settings.ServerPid, settings.ServerAllocations);
        var start = Stopwatch.GetTimestamp();
        progress.Describe = () =>
        {
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var delivered = Delivered();
            return $"{scenario} {target.Name} {seconds:F1}s {sending}: sent {sent.Sum():N0}, delivered {delivered:N0} of {Expected():N0} ({delivered / Math.Max(seconds, 0.001):N0}/s)";
        };

        attack?.Start();
        await Task.WhenAll(pool.Clients.Take(senders).Select(client => sendLoop(client, sent, cancellationToken)));
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (attack is not null)
        {
            await attack.StopAsync();
        }

        var drained = await DrainAsync(Expected(), Delivered, settings.DrainTimeoutSeconds, cancellationToken);
        await resources.StopAsync();

        var expected = Expected();
        var delivered = Delivered();
        var last = pool.Clients.Max(c => c.Tracker.LastDeliveryTimestamp);
        var seconds = last > start ? Stopwatch.GetElapsedTime(start, last).TotalSeconds : sendSeconds;
        var latency = new LatencyHistogram();
        foreach (var client in pool.Clients)
        {
            latency.Add(client.Tracker.Latency);
        }

        var result = new ScenarioResult(scenario, target.Name)
            .Add("clients", "clients", settings.Clients)
            .Add("signalrClients", "of which SignalR", pool.SignalRCount)
            .Add("senders", "senders", senders)
            .Add("sent", "messages sent", sent.Sum())
            .Add("expected", "deliveries expected", expected)
            .Add("delivered", "delivered", delivered)
            .Add("lost", "lost", expected - delivered)
            .Add("duplicated", "duplicated", pool.Clients.Sum(c => c.Tracker.Duplicated))
            .Add("deliveriesPerSecond", "deliveries/s", delivered / seconds)
            .Add("sendSeconds", "sending (s)", sendSeconds, "N2")
            .AddLatency(latency)
            .AddResources(resources);
        if (resources.ServerAllocations is { } allocations && delivered > 0)
        {
            result.Add("serverBytesPerDelivery", "server allocated B/delivery", allocations.Bytes / (double)delivered, "N1");
        }

        attack?.AddTo(result);
        var errors = pool.Clients.Sum(c => c.Errors);
        result.Add("errors", "error answers", errors);
        if (pool.Clients.FirstOrDefault(c => c.FirstError is not null)?.FirstError is { } first)
        {
            result.Notes.Add($"first error answer: {first}");
        }

        if (!drained)
        {
            result.Notes.Add($"gave up waiting: no delivery for {settings.DrainTimeoutSeconds} s with {expected - delivered:N0} missing");
        }

        progress.Phase("closing the clients");
        await pool.CloseAllAsync(settings.ConnectConcurrency, cancellationToken);
        return result;
    }

    /// <summary>Waits until <paramref name="delivered"/> reaches <paramref name="expected"/>; false when it stalls for <paramref name="timeoutSeconds"/>.</summary>
    private static async Task<bool> DrainAsync(long expected, Func<long> delivered, double timeoutSeconds, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var last = delivered();
        var lastChange = Stopwatch.GetTimestamp();
        while (last < expected)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
            var now = delivered();
            if (now != last)
            {
                last = now;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange).TotalSeconds > timeoutSeconds)
            {
                return false;
            }
        }

        return true;
    }
}
