namespace Chatter.Server.Moderation;

/// <summary>
/// Who is kicked, and until when: the users whose logins are refused, and the cut-off of their connections. Two stores:
/// this node's memory (<see cref="MemoryKickList"/>), and Redis for every node (<see cref="RedisKickList"/>).
/// </summary>
public interface IKickList
{
    /// <summary>
    /// Kicks <paramref name="user"/> until <paramref name="until"/>: every connection of the user (on every node that
    /// shares the list) is closed, and <see cref="KickedUntilAsync"/> answers <paramref name="until"/> until then. The
    /// latest kick of a user sets the end.
    /// </summary>
    ValueTask KickAsync(string user, DateTimeOffset until);

    /// <summary>When the kick of <paramref name="user"/> ends; null when the user is not kicked now.</summary>
    ValueTask<DateTimeOffset?> KickedUntilAsync(string user);
}
