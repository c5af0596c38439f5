using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>The id of the chat message a broadcast carries, read without parsing JSON; 0 for any other message.</summary>
public interface IChatMessageIds
{
    long IdOf(SerializedHubMessage message);
}
