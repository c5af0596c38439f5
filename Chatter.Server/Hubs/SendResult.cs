using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>The answer to one <see cref="ChatSend"/>: the stored message (its ack), or the reason it was refused; with the send's ref.</summary>
public sealed record SendResult(string? Ref, ChatMessage? Stored, string? Error) : IHubAnswer
{
    object? IHubAnswer.Value => Stored;

    string? IHubAnswer.Refusal => Error;

    public static SendResult Refused(ChatSend send, string reason) => new(send.Ref, null, reason);
}
