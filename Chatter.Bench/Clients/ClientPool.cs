using System.Diagnostics;
using Chatter.Bench.Measurement;
using Chatter.Bench.Scenarios;

namespace Chatter.Bench.Clients;

/// <summary>
/// The clients of one run: connected and logged in with bounded concurrency (raw or SignalR as
/// <see cref="ScenarioSettings.SignalRShare"/> says), checked to be in the broadcast, closed at the end.
/// </summary>
internal sealed class ClientPool : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    private ClientPool(IReadOnlyList<IBenchClient> clients) => Clients = clients;

    public IReadOnlyList<IBenchClient> Clients { get; }

    public int SignalRCount => Clients.Count(c => c.Transport == "signalr");

    /// <summary>A pool without clients yet, for scenarios that connect their own (<see cref="ConnectOneAsync"/>).</summary>
    public static ClientPool Empty() => new([]);

    /// <summary>Connects <see cref="ScenarioSettings.Clients"/> clients, each with a tracker for <paramref name="senders"/> senders.</summary>
    public static async Task<ClientPool> ConnectAsync(
        BenchTarget target, ScenarioSettings settings, int senders, RunProgress progress, CancellationToken cancellationToken, long? since = null)
    {
        var clients = new IBenchClient[settings.Clients];
        var pool = new ClientPool(clients);
        var connected = 0;
        progress.Describe = () => $"connecting {Volatile.Read(ref connected):N0}/{settings.Clients:N0}";
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, settings.Clients),
                new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectConcurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    clients[i] = await pool.ConnectOneAsync(target, settings, i, new DeliveryTracker(senders), since, token);
                    Interlocked.Increment(ref connected);
                });
        }
        catch
        {
            await pool.DisposeAsync();
            throw;
        }

        return pool;
    }

    /// <summary>One client, raw or SignalR as the settings say for client <paramref name="index"/>.</summary>
    public async Task<IBenchClient> ConnectOneAsync(BenchTarget target, ScenarioSettings settings, int index, DeliveryTracker tracker, long? since, CancellationToken cancellationToken)
        => settings.IsSignalR(index)
            ? await HubBenchClient.ConnectAsync(target, http, index, settings.Users[index], tracker, settings.Run, since, cancellationToken)
            : settings.RawClient == "websocket"
                ? await RawBenchClient.ConnectAsync(target, index, settings.Users[index], tracker, settings.Run, since, cancellationToken)
                : await LeanRawClient.ConnectAsync(target, index, settings.Users[index], tracker, settings.Run, since, cancellationToken);

    /// <summary>
    /// Returns once every client is in the broadcast: client 0 sends probes until all the others have received one, then
    /// client 1 until client 0 has. (A SignalR client's start can complete before its hub connection is in the broadcast.)
    /// </summary>
    public async Task WaitAllInBroadcastAsync(ScenarioSettings settings, RunProgress progress, CancellationToken cancellationToken)
    {
        if (Clients.Count < 2)
        {
            return;
        }

        progress.Phase("checking every client is in the broadcast");
        await ProbeUntilAsync(Clients[0], settings, () => Clients.Skip(1).All(c => c.Tracker.Probes > 0), cancellationToken);
        await ProbeUntilAsync(Clients[1], settings, () => Clients[0].Tracker.Probes > 0, cancellationToken);
    }

    /// <summary>Closes every client cleanly, with bounded concurrency and a bounded wait.</summary>
    public async Task CloseAllAsync(int concurrency, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await Parallel.ForEachAsync(
                Clients.Where(c => c is not null),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = timeout.Token },
                async (client, token) => await client.CloseAsync(token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Clients still closing after 30 s are aborted by DisposeAsync.
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }

        http.Dispose();
    }

    private static async Task ProbeUntilAsync(IBenchClient sender, ScenarioSettings settings, Func<bool> done, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        for (long probe = 0; !done(); probe++)
        {
            if (watch.Elapsed > ProbeTimeout)
            {
                throw new BenchException($"some clients received no probe from client {sender.Index} within {ProbeTimeout.TotalSeconds} s: they are not in the broadcast");
            }

            await sender.SendAsync("bench", BenchMessage.Create(settings.Run, BenchMessage.Probe, sender.Index, probe, Stopwatch.GetTimestamp(), 0), cancellationToken);
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }
}
