using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>Holds each append's return (so its broadcast) until the test lets it go; the message is stored already.</summary>
public sealed class HeldBroadcastHistory(IChatHistory inner) : DelegatingHistory(inner)
{
    public TaskCompletionSource<ChatMessage> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var stored = await Inner.AppendAsync(post, cancellationToken);
        Stored.TrySetResult(stored.Message);
        await Release.Task;
        return stored;
    }
}
