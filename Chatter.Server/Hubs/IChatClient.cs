using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>What the hub calls on its clients (SignalR clients and, through the raw protocol, raw clients).</summary>
public interface IChatClient
{
    /// <summary>A stored message: the login replay, then live messages of the other connections.</summary>
    Task ReceiveMessage(ChatMessage message);

    /// <summary>A user's first connection on this node opened (for connections that called <c>SubscribePresence</c>).</summary>
    Task UserJoined(string user);

    /// <summary>A user's last connection on this node closed (for connections that called <c>SubscribePresence</c>).</summary>
    Task UserLeft(string user);
}
