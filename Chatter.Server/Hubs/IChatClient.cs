using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>What the hub calls on its clients (SignalR clients and, through the raw protocol, raw clients).</summary>
public interface IChatClient
{
    /// <summary>A stored message: the login replay, then live messages of the other connections.</summary>
    Task ReceiveMessage(ChatMessage message);
}
