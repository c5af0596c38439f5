using System.Collections.Concurrent;
using Chatter.Protocol.Frames;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary>
/// Cuts off the connections of users removed from <c>users.json</c> or whose password changed, as soon as this node
/// re-reads the file. Every live connection, raw and SignalR, is registered here for its lifetime
/// (<see cref="Register"/>, from the hub's connection lifecycle); tokens issued before the change are refused by
/// <see cref="TokenService"/> (they carry the user's password stamp). An admin's kick cuts off a user's connections
/// through <see cref="Cut"/>.
/// </summary>
public sealed class UserRevocation : IDisposable
{
    // One entry per live connection (its user as the value): a revocation is rare and walks them all, so a connection
    // costs one node here rather than a set per user.
    private readonly ConcurrentDictionary<IRevocableConnection, string> live = new();
    private readonly UserDirectory users;
    private readonly ILogger<UserRevocation> logger;

    public UserRevocation(UserDirectory users, ILogger<UserRevocation> logger)
    {
        this.users = users;
        this.logger = logger;
        users.UsersRevoked += Revoke;
    }

    /// <summary>Connections registered now (for tests of the registry's bookkeeping).</summary>
    public int Count => live.Count;

    /// <summary>Registers a live connection of <paramref name="user"/>; dispose the result when the connection ends.</summary>
    public IDisposable Register(string user, IRevocableConnection connection)
    {
        live[connection] = user;

        // Revoked between its login and this registration: cut off now rather than kept.
        if (!users.Exists(user))
        {
            connection.Revoke(FrameError.InvalidCredentials);
        }

        return new Registration(this, connection);
    }

    /// <summary>Cuts off every live connection of <paramref name="user"/> on this node for <paramref name="reason"/>; returns how many.</summary>
    public int Cut(string user, string reason)
    {
        var cut = 0;
        foreach (var (connection, owner) in live)
        {
            if (string.Equals(owner, user, StringComparison.Ordinal))
            {
                connection.Revoke(reason);
                cut++;
            }
        }

        return cut;
    }

    public void Dispose() => users.UsersRevoked -= Revoke;

    private void Revoke(IReadOnlyList<string> revoked)
    {
        var users = new HashSet<string>(revoked, StringComparer.Ordinal);
        var cut = live.Where(entry => users.Contains(entry.Value)).ToList();
        foreach (var group in cut.GroupBy(entry => entry.Value, StringComparer.Ordinal))
        {
            Log.UserRevoked(logger, group.Key, group.Count());
        }

        foreach (var (connection, _) in cut)
        {
            connection.Revoke(FrameError.InvalidCredentials);
        }
    }

    private void Unregister(IRevocableConnection connection) => live.TryRemove(connection, out _);

    private sealed class Registration(UserRevocation owner, IRevocableConnection connection) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Unregister(connection);
            }
        }
    }
}
