using System.Diagnostics;
using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// <c>logins</c>: C loops, each connecting, logging in (raw: the login frame until <c>{"auth": "ok"}</c>, on the lean
/// client <see cref="LeanRawLogin"/>, then the close handshake; SignalR: the token, then the hub connection, then its
/// stop), and again, for a duration. Reports logins per second and the time of each login (raw: connect to the close
/// handshake's end; SignalR: token to started). Logins ask for no replay (<c>since</c> past every id).
/// </summary>
internal static class LoginsScenario
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static async Task<ScenarioResult> RunAsync(BenchTarget target, ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        await using var pool = ClientPool.Empty();
        var duration = TimeSpan.FromSeconds(settings.DurationSeconds);
        var next = -1L;
        long logins = 0, failures = 0, signalr = 0;
        string? firstFailure = null;
        var latencies = new LatencyHistogram[settings.Concurrency];

        var resources = RunResources.Start(settings.ServerPid, settings.ServerAllocations);
        var start = Stopwatch.GetTimestamp();
        progress.Describe = () =>
        {
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return $"logins {target.Name} {seconds:F1}s: {Volatile.Read(ref logins):N0} ({Volatile.Read(ref logins) / Math.Max(seconds, 0.001):N0}/s), {Volatile.Read(ref failures):N0} failed";
        };

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(loop => Task.Run(
            async () =>
            {
                var latency = latencies[loop] = new LatencyHistogram();
                while (Stopwatch.GetElapsedTime(start) < duration)
                {
                    var index = (int)Interlocked.Increment(ref next);
                    var user = index % settings.Users.Count;
                    var began = Stopwatch.GetTimestamp();
                    IBenchClient? client = null;
                    try
                    {
                        if (settings.IsSignalR(user))
                        {
                            client = await pool.ConnectOneAsync(target, settings, user, new DeliveryTracker(0), long.MaxValue / 2, cancellationToken);
                        }
                        else
                        {
                            // Connect, login and close on a raw socket: see LeanRawLogin for why not ClientWebSocket here.
                            await LeanRawLogin.LoginAsync(target, settings.Users[user], long.MaxValue / 2, cancellationToken);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, ex.Message, null);
                        continue;
                    }

                    latency.Record((long)Stopwatch.GetElapsedTime(began).TotalMicroseconds);
                    Interlocked.Increment(ref logins);
                    if (client is null)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref signalr);
                    await using (client)
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        timeout.CancelAfter(CloseTimeout);
                        await client.CloseAsync(timeout.Token);
                    }
                }
            },
            cancellationToken)));
        await resources.StopAsync();

        var merged = new LatencyHistogram();
        foreach (var latency in latencies)
        {
            merged.Add(latency);
        }

        var result = new ScenarioResult("logins", target.Name)
            .Add("concurrency", "concurrency", settings.Concurrency)
            .Add("logins", "logins", logins)
            .Add("signalrLogins", "of which SignalR", signalr)
            .Add("failed", "failed", failures)
            .Add("loginsPerSecond", "logins/s", logins / resources.Elapsed.TotalSeconds)
            .AddLatency(merged, "login")
            .AddResources(resources);
        if (firstFailure is not null)
        {
            result.Notes.Add($"first failure: {firstFailure}");
        }

        return result;
    }
}
