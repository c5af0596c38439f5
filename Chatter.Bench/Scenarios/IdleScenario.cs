using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// <c>idle</c>: N logged-in connections that send nothing, held for a few seconds; the server's resident memory
/// (<c>/proc/PID/status</c> VmRSS) before the first and after the last gives its memory per connection. Both processes
/// need a file limit above N (<c>ulimit -n 20000</c>); .NET raises its soft limit to the hard one at start.
/// </summary>
internal static class IdleScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchTarget target, ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        var result = new ScenarioResult("idle", target.Name);
        var limit = ProcessStats.OpenFilesLimit();
        if (limit < settings.Clients + 100)
        {
            result.Notes.Add($"the bench may open {limit} files: raise it with ulimit -n {settings.Clients + 1000} before starting it");
        }

        if (settings.ServerPid is { } pid && ProcessStats.OpenFilesLimit(pid) is { } serverLimit && serverLimit < settings.Clients + 100)
        {
            result.Notes.Add($"the server may open {serverLimit} files: start it after ulimit -n {settings.Clients + 1000}");
        }

        var before = settings.ServerPid is { } p1 ? ProcessStats.Read(p1) : null;
        var resources = RunResources.Start(settings.ServerPid, settings.ServerAllocations);
        // A login far past every id: the server replays nothing, so the figure is the connection's own cost.
        await using var pool = await ClientPool.ConnectAsync(target, settings, senders: 0, progress, cancellationToken, since: long.MaxValue / 2);
        var connectSeconds = resources.Elapsed.TotalSeconds;
        progress.Phase($"holding {settings.Clients:N0} idle connections for {settings.SettleSeconds} s");
        await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), cancellationToken);
        await resources.StopAsync();

        result.Add("clients", "idle connections", settings.Clients)
            .Add("signalrClients", "of which SignalR", pool.SignalRCount)
            .Add("connectSeconds", "time to connect all (s)", connectSeconds, "N2")
            .Add("connectsPerSecond", "connects + logins/s", settings.Clients / connectSeconds);
        if (before is { } b && resources.ServerAfter is { } after)
        {
            result.Add("serverRssBeforeMiB", "server RSS before (MiB)", b.RssBytes / 1048576.0, "N1")
                .Add("serverRssHeldMiB", "server RSS holding them (MiB)", after.RssBytes / 1048576.0, "N1")
                .Add("serverBytesPerConnection", "server bytes per connection", (after.RssBytes - b.RssBytes) / (double)settings.Clients);
        }
        else
        {
            result.Notes.Add("server memory unknown: give --server-pid, or run the server on this machine");
        }

        result.Add("clientRssMiB", "client RSS (MiB)", (ProcessStats.Read(Environment.ProcessId)?.RssBytes ?? 0) / 1048576.0, "N1")
            .AddResources(resources);
        progress.Phase("closing the clients");
        await pool.CloseAllAsync(settings.ConnectConcurrency, cancellationToken);
        return result;
    }
}
