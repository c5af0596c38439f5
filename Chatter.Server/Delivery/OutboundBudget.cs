using System.Collections.Concurrent;
using Log = Chatter.Server.Delivery.DeliveryLog;

namespace Chatter.Server.Delivery;

/// <summary>
/// The bytes all connections of this node may hold queued, together (<c>Chatter:Limits:OutboundBudgetBytes</c>), so
/// that thousands of stalled readers cannot exhaust memory even when each stays within its own bound. When the node
/// holds more than the budget, the connections that have stopped reading (a send waiting for at least
/// <see cref="Stalled"/>) and hold the most (at least half as much as the largest of them) are closed as slow consumers
/// and take nothing more. A connection that keeps up has no send waiting that long and is never chosen. Their bytes come
/// back as their writer loops end. The holders are looked at no more often than every <see cref="ScanEvery"/>.
/// </summary>
public sealed class OutboundBudget(long bytes, TimeProvider time, ILogger<OutboundBudget> logger)
{
    /// <summary>How long a send must have been waiting for its connection to count as stalled.</summary>
    public static readonly TimeSpan Stalled = TimeSpan.FromMilliseconds(250);

    /// <summary>The least time between two looks at the holders.</summary>
    public static readonly TimeSpan ScanEvery = TimeSpan.FromMilliseconds(50);

    private long lastScan;

    private readonly ConcurrentDictionary<Outbox, Holder> holders = new();
    private readonly Lock eviction = new();
    private long used;

    /// <summary>The budget, in bytes.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>The bytes queued on this node now.</summary>
    public long Used => Volatile.Read(ref used);

    /// <summary>Counts <paramref name="outbox"/> among the holders until the returned registration is disposed; <paramref name="close"/> ends its connection.</summary>
    public IDisposable Register(Outbox outbox, string connectionId, string? user, Action close)
    {
        holders[outbox] = new Holder(connectionId, user, close);
        return new Registration(this, outbox);
    }

    /// <summary>Takes <paramref name="length"/> bytes; when that passes the budget, the largest holders are closed first.</summary>
    public void Take(int length)
    {
        if (Interlocked.Add(ref used, length) > Bytes && time.GetElapsedTime(Volatile.Read(ref lastScan)) >= ScanEvery && eviction.TryEnter())
        {
            Volatile.Write(ref lastScan, time.GetTimestamp());
            try
            {
                CloseLargest();
            }
            finally
            {
                eviction.Exit();
            }
        }
    }

    /// <summary>Gives back what a sent (or dropped) message took.</summary>
    public void Release(int length) => Interlocked.Add(ref used, -length);

    private void CloseLargest()
    {
        var now = time.GetTimestamp();
        long largest = 0;
        foreach (var outbox in holders.Keys)
        {
            if (outbox.SendingFor(now) >= Stalled)
            {
                largest = Math.Max(largest, outbox.QueuedBytes);
            }
        }

        if (largest == 0)
        {
            return;
        }

        foreach (var (outbox, holder) in holders)
        {
            if (outbox.SendingFor(now) >= Stalled && outbox.QueuedBytes * 2 >= largest && outbox.Refuse() && holders.TryRemove(outbox, out _))
            {
                Log.BudgetSpent(logger, holder.User, holder.ConnectionId, Bytes, outbox.QueuedBytes);
                holder.Close();
            }
        }
    }

    private readonly record struct Holder(string ConnectionId, string? User, Action Close);

    private sealed class Registration(OutboundBudget owner, Outbox outbox) : IDisposable
    {
        public void Dispose() => owner.holders.TryRemove(outbox, out _);
    }
}
