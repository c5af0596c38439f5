using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Counts this node's connections, raw and SignalR, in all and per user (<c>Chatter:Limits:MaxConnections</c>,
/// <c>MaxConnectionsPerUser</c>). A connection takes a slot at login and gives it back when it ends.
/// </summary>
internal sealed class ConnectionLimiter(IOptions<LimitsOptions> options)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> perUser = new(StringComparer.Ordinal);
    private int total;

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
    public IDisposable? TryAcquire(string user)
    {
        var limits = options.Value;
        lock (gate)
        {
            perUser.TryGetValue(user, out var mine);
            if ((limits.MaxConnections > 0 && total >= limits.MaxConnections)
                || (limits.MaxConnectionsPerUser > 0 && mine >= limits.MaxConnectionsPerUser))
            {
                return null;
            }

            perUser[user] = mine + 1;
            total++;
        }

        return new Slot(this, user);
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

    private sealed class Slot(ConnectionLimiter owner, string user) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                owner.Release(user);
            }
        }
    }
}
