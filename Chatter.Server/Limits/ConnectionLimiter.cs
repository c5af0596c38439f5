using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Counts connections, raw and SignalR, in all on this node (<c>Chatter:Limits:MaxConnections</c>) and per user
/// (<c>MaxConnectionsPerUser</c>): per user on every node with Redis (<see cref="RedisConnectionCounts"/>), on this node
/// alone without it or while Redis does not answer. A connection takes a slot at login and gives it back when it ends.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly IOptions<LimitsOptions> options;
    private readonly RedisConnectionCounts? shared;
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> perUser = new(StringComparer.Ordinal);
    private int total;

    public ConnectionLimiter(IOptions<LimitsOptions> options, RedisConnectionCounts? shared = null)
    {
        this.options = options;
        this.shared = shared;
        shared?.Track(Snapshot);
    }

    /// <summary>Connections held now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return total;
            }
        }
    }

    /// <summary>A slot for a connection of <paramref name="user"/>, or null when a limit is reached. Dispose it when the connection ends.</summary>
    public async ValueTask<IDisposable?> TryAcquireAsync(string user)
    {
        if (!TryTakeHere(user, out var limit))
        {
            return null;
        }

        return shared is null || limit == 0 ? new Slot(this, user, counted: false) : Counted(user, await shared.TryAcquireAsync(user, limit));
    }

    /// <summary>
    /// Takes a slot on this node when both limits have room here (a user at the limit on this node is at it on every
    /// node too); <paramref name="perUserLimit"/> is the per-user limit for the shared count (0: none).
    /// </summary>
    private bool TryTakeHere(string user, out int perUserLimit)
    {
        var limits = options.Value;
        perUserLimit = limits.MaxConnectionsPerUser;
        lock (gate)
        {
            perUser.TryGetValue(user, out var mine);
            if ((limits.MaxConnections > 0 && total >= limits.MaxConnections)
                || (limits.MaxConnectionsPerUser > 0 && mine >= limits.MaxConnectionsPerUser))
            {
                return false;
            }

            perUser[user] = mine + 1;
            total++;
        }

        return true;
    }

    /// <summary>The slot, given Redis's answer: refused there (the user is at the limit on all nodes), or counted.</summary>
    private Slot? Counted(string user, bool? shared)
    {
        if (shared == false)
        {
            Release(user);
            return null;
        }

        // Not answered: counted on this node only; Redis gets this node's counts again once it answers.
        return new Slot(this, user, counted: true);
    }

    private void Release(string user)
    {
        lock (gate)
        {
            total--;
            ref var mine = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(perUser, user);
            if (--mine == 0)
            {
                perUser.Remove(user);
            }
        }
    }

    private Dictionary<string, int> Snapshot()
    {
        lock (gate)
        {
            return new Dictionary<string, int>(perUser, StringComparer.Ordinal);
        }
    }

    private sealed class Slot(ConnectionLimiter owner, string user, bool counted) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                owner.Release(user);
                if (counted)
                {
                    owner.shared!.Released(user);
                }
            }
        }
    }
}
