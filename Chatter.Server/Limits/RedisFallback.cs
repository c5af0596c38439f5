namespace Chatter.Server.Limits;

/// <summary>
/// Whether the shared (Redis) limits are answering. While they are not, every limit falls back to this node's own
/// count (fail open to per-node limits: logins and chat go on, an attacker gets at most the node count times the
/// budget); the change is logged once each way.
/// </summary>
internal sealed class RedisFallback(ILogger<RedisFallback> logger)
{
    private int failing;

    /// <summary>True while the last shared-limit call failed.</summary>
    public bool IsFailing => Volatile.Read(ref failing) == 1;

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
        if (Interlocked.Exchange(ref failing, 1) == 0)
        {
            LimitsLog.SharedLimitsUnreachable(logger, exception);
        }
    }
}
