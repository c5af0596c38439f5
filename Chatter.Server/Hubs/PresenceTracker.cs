namespace Chatter.Server.Hubs;

/// <summary>
/// Who is online on this node (the presence of a single node): each user's open hub connections (raw and SignalR),
/// counted so that a user with several connections joins with the first and leaves with the last.
/// </summary>
public sealed class PresenceTracker : IPresence
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> connections = new(StringComparer.Ordinal);

    /// <summary>Counts a connection of <paramref name="user"/>; true when it is the user's first.</summary>
    public bool Connected(string user)
    {
        lock (gate)
        {
            connections.TryGetValue(user, out var count);
            connections[user] = count + 1;
            return count == 0;
        }
    }

    /// <summary>Counts a closed connection of <paramref name="user"/>; true when it was the user's last.</summary>
    public bool Disconnected(string user)
    {
        lock (gate)
        {
            if (!connections.TryGetValue(user, out var count))
            {
                return false;
            }

            if (count > 1)
            {
                connections[user] = count - 1;
                return false;
            }

            connections.Remove(user);
            return true;
        }
    }

    public ValueTask<bool> ConnectedAsync(string user) => ValueTask.FromResult(Connected(user));

    public ValueTask<bool> DisconnectedAsync(string user) => ValueTask.FromResult(Disconnected(user));

    public ValueTask<string[]> OnlineAsync() => ValueTask.FromResult(Online());

    /// <summary>The users online now, in ordinal order.</summary>
    public string[] Online()
    {
        lock (gate)
        {
            var users = connections.Keys.ToArray();
            Array.Sort(users, StringComparer.Ordinal);
            return users;
        }
    }
}
