using System.Buffers;
using System.Threading.Channels;

namespace Chatter.Server.Delivery;

/// <summary>
/// A connection's send queue: every message to the connection (broadcasts, its replay, answers to its own calls) waits
/// here, in order, for the connection's one writer loop. Bounded by <c>Chatter:Limits:OutboundBufferMessages</c>
/// messages (each at most a frame's size) and by the node's <see cref="OutboundBudget"/>. A message that does not fit is
/// refused (<see cref="EnqueueResult.Full"/>): that is the slow-consumer decision, taken by the caller. Putting a message
/// in never waits; only the connection's own replay waits for room (<see cref="WaitForRoomAsync"/>: until at most half
/// the messages and half of <c>Chatter:Limits:OutboundBufferBytes</c> wait), so a long replay never overflows.
/// </summary>
public sealed class Outbox(int maxMessages, long maxBytes, OutboundBudget budget, TimeProvider time)
{
    // Bounded as the count is (the count decides first); its buffer grows from empty, so an idle connection holds none.
    private readonly Channel<Outbound> channel = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(maxMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private int count;
    private long bytes;
    private long sendingSince;
    private TaskCompletionSource? room;
    private int refused;

    /// <summary>Messages waiting now.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Bytes waiting behind others now (what the node's budget counts; see <see cref="TryEnqueue"/>).</summary>
    public long QueuedBytes => Volatile.Read(ref bytes);

    /// <summary>True once the node's budget closed this connection (<see cref="Refuse"/>).</summary>
    public bool IsRefused => Volatile.Read(ref refused) == 1;

    /// <summary>Puts a message in, never waiting.</summary>
    public EnqueueResult TryEnqueue(Outbound item)
    {
        var length = item.Bytes.Length;
        if (IsRefused)
        {
            Return(item);
            return EnqueueResult.Closed;
        }

        var waiting = Interlocked.Increment(ref count);
        if (waiting > maxMessages)
        {
            Interlocked.Decrement(ref count);
            Return(item);
            return EnqueueResult.Full;
        }

        // Only a message behind others counts against the node's budget: a connection that keeps up (its queue empty
        // when a message comes) never touches the node-wide counter, and the node passes its budget by at most one
        // message per connection.
        var counted = item with { Counted = waiting > 1 };
        if (counted.Counted)
        {
            Interlocked.Add(ref bytes, length);
        }

        if (!channel.Writer.TryWrite(counted))
        {
            Undo(counted);
            Return(item);
            return EnqueueResult.Closed;
        }

        if (counted.Counted)
        {
            budget.Take(length);
        }

        return EnqueueResult.Queued;
    }

    /// <summary>Waits until the queue is at most half full (the replay's back-pressure); at once when it is.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (HasRoom())
        {
            return Task.CompletedTask;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref room, waiter);
        // The writer may have drained the queue between the check and the publication of the waiter.
        if (HasRoom())
        {
            waiter.TrySetResult();
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The writer loop's side: waits for messages; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>The writer loop's side: the next message, if one waits.</summary>
    public bool TryRead(out Outbound item) => channel.Reader.TryRead(out item);

    /// <summary>The writer loop's side: a send of the connection is in progress from now (see <see cref="SendTimeouts"/>).</summary>
    public void SendStarted() => Volatile.Write(ref sendingSince, time.GetTimestamp());

    /// <summary>The writer loop's side: <paramref name="item"/> was sent (or given up); its bounds and its array are released.</summary>
    public void Sent(Outbound item)
    {
        Volatile.Write(ref sendingSince, 0);
        if (item.Counted)
        {
            budget.Release(item.Bytes.Length);
        }

        Undo(item);
        Return(item);
        if (Volatile.Read(ref room) is { } waiter && HasRoom())
        {
            Volatile.Write(ref room, null);
            waiter.TrySetResult();
        }
    }

    /// <summary>How long the send in progress has taken; zero when none is.</summary>
    public TimeSpan SendingFor(long now) => Volatile.Read(ref sendingSince) is var since and not 0 ? time.GetElapsedTime(since, now) : TimeSpan.Zero;

    /// <summary>Takes no more messages (the node's budget closes the connection); false when it was refused already.</summary>
    public bool Refuse() => Interlocked.Exchange(ref refused, 1) == 0;

    /// <summary>No more messages: the writer loop ends once it has sent what waits.</summary>
    public void Complete() => channel.Writer.TryComplete();

    /// <summary>Gives up what still waits (the connection is gone): releases its bounds and arrays.</summary>
    public void Discard()
    {
        Complete();
        while (channel.Reader.TryRead(out var item))
        {
            Sent(item);
        }
    }

    private bool HasRoom() => Volatile.Read(ref count) <= maxMessages / 2 && Volatile.Read(ref bytes) <= maxBytes / 2;

    private void Undo(Outbound item)
    {
        Interlocked.Decrement(ref count);
        if (item.Counted)
        {
            Interlocked.Add(ref bytes, -item.Bytes.Length);
        }
    }

    private static void Return(Outbound item)
    {
        if (item.Pooled is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}

/// <summary>What became of a message put in an <see cref="Outbox"/>.</summary>
public enum EnqueueResult
{
    /// <summary>Queued; the writer loop sends it.</summary>
    Queued,

    /// <summary>Refused: the connection is too far behind (a slow consumer).</summary>
    Full,

    /// <summary>Refused: the connection is ending.</summary>
    Closed,
}
