namespace Chatter.Server.Limits;

/// <summary>
/// Whether the shared (Redis) limits are answering. While they are not, every limit falls back to this node's own
/// count (fail open to per-node limits: logins and chat go on, an attacker gets at most the node count times the
/// budget); the change is logged once each way.
/// </summary>
internal sealed class RedisFallback(ILogger<RedisFallback> logger, TimeProvider time)
{
    /// <summary>While Redis fails, the limits on the hot path (messages, connections) ask it at most this often.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);

    private int failing;
    private long lastProbe;

    /// <summary>True while the last shared-limit call failed.</summary>
    public bool IsFailing => Volatile.Read(ref failing) == 1;

    /// <summary>
    /// Whether a hot-path limit should ask Redis now: always while it answers; while it fails, one caller per
    /// <see cref="ProbeEvery"/> (the others count on this node at once rather than each waiting for a Redis that
    /// may only answer after its timeout).
    /// </summary>
    public bool ShouldAsk()
    {
        if (!IsFailing)
        {
            return true;
        }

        var last = Volatile.Read(ref lastProbe);
        var now = time.GetTimestamp();
        return time.GetElapsedTime(last, now) >= ProbeEvery && Interlocked.CompareExchange(ref lastProbe, now, last) == last;
    }

    /// <summary>A shared-limit call answered.</summary>
    public void Answered()
    {
        if (Interlocked.Exchange(ref failing, 0) == 1)
        {
            LimitsLog.SharedLimitsBack(logger);
        }
    }

    /// <summary>A shared-limit call failed: this node counts alone until one answers.</summary>
    public void Failed(Exception exception)
    {
        Volatile.Write(ref lastProbe, time.GetTimestamp());
        if (Interlocked.Exchange(ref failing, 1) == 0)
        {
            LimitsLog.SharedLimitsUnreachable(logger, exception);
        }
    }
}
