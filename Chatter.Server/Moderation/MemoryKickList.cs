using System.Collections.Concurrent;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Log = Chatter.Server.Moderation.ModerationLog;

namespace Chatter.Server.Moderation;

/// <summary>
/// <see cref="IKickList"/> of one node: the kicks in memory (one entry per kicked user, at most one per user of the
/// users file; an ended one is dropped when next read or at the next kick), the cut-off through this node's
/// <see cref="UserRevocation"/>. The Redis list keeps kicks here too while Redis does not answer.
/// </summary>
public sealed class MemoryKickList(UserRevocation revocation, TimeProvider time, ILogger<MemoryKickList> logger) : IKickList
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> kicked = new(StringComparer.Ordinal);

    public ValueTask KickAsync(string user, DateTimeOffset until)
    {
        Record(user, until);
        Cut(user);
        return default;
    }

    public ValueTask<DateTimeOffset?> KickedUntilAsync(string user) => new(KickedUntil(user));

    /// <summary>Records the kick of <paramref name="user"/>, without cutting anything off.</summary>
    internal void Record(string user, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        foreach (var (name, ends) in kicked)
        {
            if (ends <= now)
            {
                kicked.TryRemove(KeyValuePair.Create(name, ends));
            }
        }

        // The latest kick sets the end, as the Redis key does.
        kicked[user] = until;
    }

    /// <summary>When the kick of <paramref name="user"/> recorded here ends; null when there is none now.</summary>
    internal DateTimeOffset? KickedUntil(string user)
    {
        if (!kicked.TryGetValue(user, out var until))
        {
            return null;
        }

        if (until > time.GetUtcNow())
        {
            return until;
        }

        kicked.TryRemove(KeyValuePair.Create(user, until));
        return null;
    }

    /// <summary>Closes every connection of <paramref name="user"/> on this node.</summary>
    internal void Cut(string user)
    {
        var count = revocation.Cut(user, FrameError.Kicked);
        if (count > 0)
        {
            Log.KickedConnections(logger, user, count);
        }
    }
}
