using System.Numerics;

namespace Chatter.Bench.Measurement;

/// <summary>
/// Latencies in microseconds, counted in log-linear buckets (HdrHistogram's layout with 5 sub-bucket bits): exact below
/// 64 µs, within 1/32 (about 3 %) above, from 0 to hours in 1,900 counters. Recording is one array increment, so each
/// receiving client keeps its own and the run merges them at the end. Not thread-safe: one writer.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Buckets = (64 - SubBucketBits) * SubBuckets;

    private readonly long[] counts = new long[Buckets];

    public long Count { get; private set; }

    /// <summary>The largest value recorded, exactly.</summary>
    public long Max { get; private set; }

    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        counts[IndexOf(value)]++;
        Count++;
        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds <paramref name="other"/>'s counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] += other.counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100): the highest value of the bucket holding that rank, never above
    /// <see cref="Max"/>, so a reported percentile is never lower than the true one by more than a bucket's width.
    /// </summary>
    public long ValueAt(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestIn(i), Max);
            }
        }

        return Max;
    }

    /// <summary>(percentile, microseconds) points for a percentile-distribution chart, from p0 to p99.999 and the maximum.</summary>
    public IReadOnlyList<(double Percentile, long Microseconds)> Distribution()
    {
        var points = new List<(double, long)>();
        foreach (var p in new[] { 0.0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.4375, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999 })
        {
            points.Add((p, ValueAt(p)));
        }

        points.Add((100, Max));
        return points;
    }

    private static int IndexOf(long value)
    {
        if (value < 2 * SubBuckets)
        {
            return (int)value;
        }

        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = magnitude - SubBucketBits;
        return (shift * SubBuckets) + (int)(value >> shift);
    }

    private static long HighestIn(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = (index >> SubBucketBits) - 1;
        var sub = index - (shift * SubBuckets);
        return ((long)(sub + 1) << shift) - 1;
    }
}
