using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>What a store answers a <see cref="ChatEdit"/> with.</summary>
/// <param name="Outcome">Done, or why not.</param>
/// <param name="Message">When done, the message with its new text and <see cref="ChatMessage.EditedTs"/>; else null.</param>
public sealed record ChatEditResult(ChatChangeOutcome Outcome, ChatMessage? Message = null)
{
    public static readonly ChatEditResult NotFound = new(ChatChangeOutcome.NotFound);

    public static readonly ChatEditResult NotYours = new(ChatChangeOutcome.NotYours);
}
