using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>A store that hands every call to <see cref="Inner"/>: test stores derive from it and change the calls they test.</summary>
public abstract class DelegatingHistory(IChatHistory inner) : IChatHistory
{
    /// <summary>The real store.</summary>
    protected IChatHistory Inner { get; } = inner;

    public virtual ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken) => Inner.AppendAsync(post, cancellationToken);

    public virtual ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => Inner.GetReplayAsync(viewer, sinceId, perThread, total, cancellationToken);

    public virtual ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => Inner.GetPageAsync(viewer, thread, beforeId, limit, cancellationToken);

    public virtual ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
        => Inner.SetReadMarkerAsync(user, marker, cancellationToken);

    public virtual ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken)
        => Inner.GetReadMarkersAsync(user, cancellationToken);

    public virtual ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken) => Inner.EditAsync(edit, cancellationToken);

    public virtual ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken) => Inner.DeleteAsync(removal, cancellationToken);

    public virtual ValueTask CheckAsync(CancellationToken cancellationToken) => Inner.CheckAsync(cancellationToken);
}
