using System.Collections.Concurrent;

namespace Chatter.Server.Delivery;

/// <summary>
/// Sends the connections that opted in (v2) a checkpoint at most once a second, and only when theirs moved (never
/// while idle): one timer for the node, as <see cref="SendTimeouts"/>.
/// </summary>
public sealed class Checkpoints(TimeProvider time) : BackgroundService
{
    /// <summary>The shortest time between two checkpoints of a connection.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<DeliveryConnection, byte> connections = new();

    /// <summary>Sends <paramref name="connection"/> checkpoints until <see cref="Remove"/>.</summary>
    public void Add(DeliveryConnection connection) => connections[connection] = 0;

    /// <summary>Stops sending checkpoints to <paramref name="connection"/>.</summary>
    public void Remove(DeliveryConnection connection) => connections.TryRemove(connection, out _);

    /// <summary>Queues a checkpoint for every connection whose own moved since its last one; returns how many.</summary>
    public int Send()
    {
        var sent = 0;
        foreach (var (connection, _) in connections)
        {
            if (connection.SendCheckpoint())
            {
                sent++;
            }
        }

        return sent;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Send();
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: an ordinary end.
        }
    }
}
