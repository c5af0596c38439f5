using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>The id of the chat message a broadcast carries, read without parsing JSON; 0 for any other message.</summary>
public interface IChatMessageIds
{
    long IdOf(SerializedHubMessage message);

    /// <summary>True for a message a reader that is behind does without (a typing notice), from this node or another.</summary>
    bool IsDroppable(SerializedHubMessage message);

    /// <summary>The <see cref="PrivateId"/> a broadcast carries, from this node or another; null for any other message.</summary>
    PrivateId? PrivateIdOf(SerializedHubMessage message);
}
