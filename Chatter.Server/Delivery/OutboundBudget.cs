namespace Chatter.Server.Delivery;

/// <summary>
/// The bytes all connections of this node may hold queued, together (<c>Chatter:Limits:OutboundBudgetBytes</c>), so
/// that thousands of stalled readers cannot exhaust memory even when each stays within its own bound. When the budget
/// is spent, a connection that already has messages waiting gets no more: it is closed as a slow consumer. A connection
/// whose queue is empty still gets its message (it keeps up), so the budget is passed by at most one message per
/// connection.
/// </summary>
public sealed class OutboundBudget(long bytes)
{
    private long used;

    /// <summary>The budget, in bytes.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>The bytes queued on this node now.</summary>
    public long Used => Volatile.Read(ref used);

    /// <summary>Takes <paramref name="length"/> bytes; false, taking nothing, when the budget is spent and the connection is behind.</summary>
    public bool TryTake(int length, bool behind)
    {
        if (behind && Volatile.Read(ref used) + length > Bytes)
        {
            return false;
        }

        Interlocked.Add(ref used, length);
        return true;
    }

    /// <summary>Gives back what a sent (or dropped) message took.</summary>
    public void Release(int length) => Interlocked.Add(ref used, -length);
}
