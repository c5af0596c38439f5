using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>Holds each append's return (so its broadcast) until the test lets it go; the message is stored already.</summary>
public sealed class HeldBroadcastHistory(IChatHistory inner) : IChatHistory
{
    public TaskCompletionSource<ChatMessage> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var stored = await inner.AppendAsync(post, cancellationToken);
        Stored.TrySetResult(stored.Message);
        await Release.Task;
        return stored;
    }

    public ValueTask<ChatReplay> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => inner.GetReplayAsync(sinceId, perThread, total, cancellationToken);

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => inner.GetPageAsync(thread, beforeId, limit, cancellationToken);

    public ValueTask CheckAsync(CancellationToken cancellationToken) => inner.CheckAsync(cancellationToken);
}
