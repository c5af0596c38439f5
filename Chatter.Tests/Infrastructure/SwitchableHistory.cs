using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>The real store, made to fail on demand (a full disk or a dead Redis, without breaking the machine).</summary>
public sealed class SwitchableHistory(IChatHistory inner) : IChatHistory
{
    private volatile bool down;

    /// <summary>While true, every call fails as a store that cannot be reached.</summary>
    public bool Down
    {
        get => down;
        set => down = value;
    }

    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : inner.AppendAsync(post, cancellationToken);

    public ValueTask<ChatReplay> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : inner.GetReplayAsync(sinceId, perThread, total, cancellationToken);

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : inner.GetPageAsync(thread, beforeId, limit, cancellationToken);

    public ValueTask CheckAsync(CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : inner.CheckAsync(cancellationToken);
}
