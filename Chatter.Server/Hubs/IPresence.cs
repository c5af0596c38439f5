namespace Chatter.Server.Hubs;

/// <summary>
/// Who is online: each user's open hub connections, counted so that a user joins with the first connection and leaves
/// with the last. On one node <see cref="PresenceTracker"/>; with Redis <see cref="RedisPresence"/>, across nodes.
/// </summary>
public interface IPresence
{
    /// <summary>Counts a connection of <paramref name="user"/>; true when it is the user's first (the user joined).</summary>
    ValueTask<bool> ConnectedAsync(string user);

    /// <summary>Counts a closed connection of <paramref name="user"/>; true when it was the user's last (the user left).</summary>
    ValueTask<bool> DisconnectedAsync(string user);

    /// <summary>The users online now, in ordinal order.</summary>
    /// <exception cref="PresenceUnavailableException">The shared presence (Redis) cannot be read.</exception>
    ValueTask<string[]> OnlineAsync();
}
