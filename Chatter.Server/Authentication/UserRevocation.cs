using System.Collections.Concurrent;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary>
/// Cuts off the connections of users removed from <c>users.json</c> or whose password changed, as soon as this node
/// re-reads the file. Every live connection, raw and SignalR, is registered here for its lifetime
/// (<see cref="Register"/>, from the hub's connection lifecycle); tokens issued before the change are refused by
/// <see cref="TokenService"/> (they carry the user's password stamp).
/// </summary>
public sealed class UserRevocation : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<IRevocableConnection, byte>> live = new(StringComparer.Ordinal);
    private readonly UserDirectory users;
    private readonly ILogger<UserRevocation> logger;

    public UserRevocation(UserDirectory users, ILogger<UserRevocation> logger)
    {
        this.users = users;
        this.logger = logger;
        users.UsersRevoked += Revoke;
    }

    /// <summary>Connections registered now (for tests of the registry's bookkeeping).</summary>
    public int Count => live.Values.Sum(connections => connections.Count);

    /// <summary>Registers a live connection of <paramref name="user"/>; dispose the result when the connection ends.</summary>
    public IDisposable Register(string user, IRevocableConnection connection)
    {
        live.AddOrUpdate(user, _ => new() { [connection] = 0 }, (_, connections) =>
        {
            connections[connection] = 0;
            return connections;
        });

        // Revoked between its login and this registration: cut off now rather than kept.
        if (!users.Exists(user))
        {
            connection.Revoke();
        }

        return new Registration(this, user, connection);
    }

    public void Dispose() => users.UsersRevoked -= Revoke;

    private void Revoke(IReadOnlyList<string> revoked)
    {
        foreach (var user in revoked)
        {
            if (live.TryGetValue(user, out var connections) && !connections.IsEmpty)
            {
                Log.UserRevoked(logger, user, connections.Count);
                foreach (var connection in connections.Keys)
                {
                    connection.Revoke();
                }
            }
        }
    }

    private void Unregister(string user, IRevocableConnection connection)
    {
        if (live.TryGetValue(user, out var connections))
        {
            connections.TryRemove(connection, out _);
            if (connections.IsEmpty)
            {
                // Removed only while still empty: a connection registered meanwhile keeps its set.
                live.TryRemove(KeyValuePair.Create(user, connections));
            }
        }
    }

    private sealed class Registration(UserRevocation owner, string user, IRevocableConnection connection) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Unregister(user, connection);
            }
        }
    }
}
