using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>The real store, made to fail on demand (a full disk or a dead Redis, without breaking the machine).</summary>
public sealed class SwitchableHistory(IChatHistory inner) : DelegatingHistory(inner)
{
    private volatile bool down;

    /// <summary>While true, every call fails as a store that cannot be reached.</summary>
    public bool Down
    {
        get => down;
        set => down = value;
    }

    public override ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.AppendAsync(post, cancellationToken);

    public override ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.GetReplayAsync(viewer, sinceId, perThread, total, cancellationToken);

    public override ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.GetPageAsync(viewer, thread, beforeId, limit, cancellationToken);

    public override ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.SetReadMarkerAsync(user, marker, cancellationToken);

    public override ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.GetReadMarkersAsync(user, cancellationToken);

    public override ValueTask CheckAsync(CancellationToken cancellationToken)
        => Down ? throw new ChatHistoryException("store down (test)") : Inner.CheckAsync(cancellationToken);
}
