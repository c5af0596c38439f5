using System.Collections.Concurrent;
using Log = Chatter.Server.Delivery.DeliveryLog;

namespace Chatter.Server.Delivery;

/// <summary>
/// Aborts a connection whose send has not completed within <c>Chatter:Limits:SendTimeoutSeconds</c>: a reader that
/// stopped reading holds its socket's buffers full, and its writer loop would wait on it for as long as TCP lets it.
/// One timer for the node looks at every connection's send in progress, as SignalR's own connection manager does; a
/// send costs no timer of its own. Only that connection is aborted.
/// </summary>
public sealed class SendTimeouts(TimeSpan timeout, TimeProvider time, ILogger<SendTimeouts> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Outbox, Watched> watched = new();

    /// <summary>The longest a send may take.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Watches <paramref name="queue"/>'s sends until the returned registration is disposed; <paramref name="abort"/> ends its connection.</summary>
    public IDisposable Watch(Outbox queue, string connectionId, string? user, Action abort)
    {
        watched[queue] = new Watched(connectionId, user, abort);
        return new Registration(this, queue);
    }

    /// <summary>Aborts every connection whose send has been in progress longer than <see cref="Timeout"/>; returns how many.</summary>
    public int Scan()
    {
        var now = time.GetTimestamp();
        var aborted = 0;
        foreach (var (queue, connection) in watched)
        {
            if (queue.SendingFor(now) > Timeout && watched.TryRemove(queue, out _))
            {
                Log.SendTimedOut(logger, connection.User, connection.ConnectionId, Timeout.TotalSeconds);
                connection.Abort();
                aborted++;
            }
        }

        return aborted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A send is found stuck between Timeout and Timeout plus one period after it began.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(Timeout.TotalSeconds / 4, 0.25, 5)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Scan();
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: an ordinary end.
        }
    }

    private readonly record struct Watched(string ConnectionId, string? User, Action Abort);

    private sealed class Registration(SendTimeouts owner, Outbox queue) : IDisposable
    {
        public void Dispose() => owner.watched.TryRemove(queue, out _);
    }
}
