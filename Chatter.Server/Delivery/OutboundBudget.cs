using System.Collections.Concurrent;
using Log = Chatter.Server.Delivery.DeliveryLog;

namespace Chatter.Server.Delivery;

/// <summary>
/// The bytes all connections of this node may hold queued, together (<c>Chatter:Limits:OutboundBudgetBytes</c>), so
/// that thousands of stalled readers cannot exhaust memory even when each stays within its own bound. When a message
/// would pass the budget, the connections that hold the most (every one holding at least half as much as the largest)
/// are closed as slow consumers and take nothing more; a connection that keeps up holds next to nothing and is never
/// chosen. Their bytes come back as their writer loops end, so the node passes the budget by at most what they held.
/// </summary>
public sealed class OutboundBudget(long bytes, ILogger<OutboundBudget> logger)
{
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
        if (Interlocked.Add(ref used, length) > Bytes && eviction.TryEnter())
        {
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
        long largest = 0;
        foreach (var outbox in holders.Keys)
        {
            largest = Math.Max(largest, outbox.QueuedBytes);
        }

        if (largest == 0)
        {
            return;
        }

        foreach (var (outbox, holder) in holders)
        {
            if (outbox.QueuedBytes * 2 >= largest && outbox.Refuse() && holders.TryRemove(outbox, out _))
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
