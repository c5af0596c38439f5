using Chatter.Protocol;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The id of a broadcast's chat message: from the message itself when it was made on this node, else from the tag of
/// its <c>chatter-raw</c> form (every node serializes a broadcast for every protocol, this one included, before it goes
/// through the backplane), so no JSON is parsed.
/// </summary>
public sealed class RawMessageIds(RawHubProtocol raw, SerializationCache serialized) : IChatMessageIds
{
    public long IdOf(SerializedHubMessage message) => message.Message switch
    {
        // ReceiveMessage only: an edit notice carries a message too, but is not one (the replay gate must not drop it).
        InvocationMessage { Target: nameof(IChatClient.ReceiveMessage), Arguments: [ChatMessage chat] } => chat.Id,
        null => RawOutboundFrames.TagOf(serialized.BytesOf(message, raw).Span) is var tag and > 0 ? tag : 0,
        _ => 0,
    };

    public bool IsDroppable(SerializedHubMessage message) => message.Message switch
    {
        InvocationMessage { Target: nameof(IChatClient.UserTyping) } => true,
        null => RawOutboundFrames.TagOf(serialized.BytesOf(message, raw).Span) == RawOutboundFrames.Droppable,
        _ => false,
    };

    public PrivateId? PrivateIdOf(SerializedHubMessage message) => message.Message switch
    {
        InvocationMessage { Target: PrivateId.Method, Arguments: [PrivateId id] } => id,
        null => RawOutboundFrames.ReadPrivateId(serialized.BytesOf(message, raw)),
        _ => null,
    };
}
