using System.Diagnostics;
using Chatter.Bench.Clients;

namespace Chatter.Bench.Measurement;

/// <summary>
/// What one receiving client got: each measured message is marked in a bit set per sender (so a second copy is a
/// duplicate and a missing one is lost), its latency goes into the client's <see cref="LatencyHistogram"/>. Only the
/// client's receive loop writes; counters are read by the progress line with <see cref="Volatile"/>.
/// </summary>
internal sealed class DeliveryTracker(int senders)
{
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ulong[][] seen = Enumerable.Range(0, senders).Select(_ => new ulong[16]).ToArray();
    private long delivered;
    private long duplicated;
    private long probes;
    private long other;
    private long lastDeliveryTimestamp;
    private long waitTarget = long.MaxValue;
    private TaskCompletionSource? waiter;

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Measured messages received once each.</summary>
    public long Delivered => Volatile.Read(ref delivered);

    /// <summary>Measured messages received again.</summary>
    public long Duplicated => Volatile.Read(ref duplicated);

    /// <summary>Probe messages received (see <see cref="BenchMessage"/>).</summary>
    public long Probes => Volatile.Read(ref probes);

    /// <summary>Messages not of this run (history of earlier runs) or not made by the bench.</summary>
    public long Other => Volatile.Read(ref other);

    /// <summary>The <see cref="Stopwatch"/> timestamp of the last measured delivery.</summary>
    public long LastDeliveryTimestamp => Volatile.Read(ref lastDeliveryTimestamp);

    /// <summary>Completes once <paramref name="count"/> measured messages have arrived (one waiter at a time).</summary>
    public Task WaitForDeliveredAsync(long count)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiter = tcs;
        Volatile.Write(ref waitTarget, count);
        if (Delivered >= count)
        {
            tcs.TrySetResult();
        }

        return tcs.Task;
    }

    /// <summary>Counts a received message text (raw frame's <c>message</c> bytes).</summary>
    public void Record(ReadOnlySpan<byte> text, ReadOnlySpan<byte> run)
    {
        if (BenchMessage.TryParse(text, run, out var parsed))
        {
            Record(parsed);
        }
        else
        {
            Volatile.Write(ref other, other + 1);
        }
    }

    /// <summary>Counts a received message text (a SignalR client's <c>ChatMessage.Message</c>).</summary>
    public void Record(string text, ReadOnlySpan<byte> run)
    {
        if (BenchMessage.TryParse(text, run, out var parsed))
        {
            Record(parsed);
        }
        else
        {
            Volatile.Write(ref other, other + 1);
        }
    }

    /// <summary>Whether the measured message <paramref name="sequence"/> of <paramref name="sender"/> arrived.</summary>
    public bool HasSeen(int sender, long sequence)
    {
        var bits = seen[sender];
        var word = sequence >> 6;
        return word < bits.Length && (bits[word] & (1UL << (int)(sequence & 63))) != 0;
    }

    private void Record(BenchMessage.Parsed message)
    {
        if (message.Kind != BenchMessage.Measured)
        {
            Volatile.Write(ref probes, probes + 1);
            return;
        }

        if (message.Sender < 0 || message.Sender >= seen.Length || message.Sequence < 0)
        {
            Volatile.Write(ref other, other + 1);
            return;
        }

        var now = Stopwatch.GetTimestamp();
        ref var bits = ref seen[message.Sender];
        var word = (int)(message.Sequence >> 6);
        if (word >= bits.Length)
        {
            Array.Resize(ref bits, Math.Max(bits.Length * 2, word + 1));
        }

        var mask = 1UL << (int)(message.Sequence & 63);
        if ((bits[word] & mask) != 0)
        {
            Volatile.Write(ref duplicated, duplicated + 1);
            return;
        }

        bits[word] |= mask;
        Latency.Record((long)((now - message.SentTimestamp) * MicrosecondsPerTick));
        Volatile.Write(ref lastDeliveryTimestamp, now);
        Volatile.Write(ref delivered, delivered + 1);
        if (delivered >= Volatile.Read(ref waitTarget))
        {
            waiter?.TrySetResult();
        }
    }
}
