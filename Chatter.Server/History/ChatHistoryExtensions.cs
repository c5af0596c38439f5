using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>Shorthands on <see cref="IChatHistory"/>.</summary>
public static class ChatHistoryExtensions
{
    /// <summary>Stores a message with no ref (never a resend) and answers it.</summary>
    public static async ValueTask<ChatMessage> AppendAsync(this IChatHistory history, string thread, string message, string from, CancellationToken cancellationToken)
        => (await history.AppendAsync(new ChatPost(thread, message, from, null), cancellationToken)).Message;

    /// <summary>The replay of public threads only (no viewer: no direct messages).</summary>
    public static ValueTask<ChatReplay> GetReplayAsync(this IChatHistory history, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => history.GetReplayAsync(null, sinceId, perThread, total, cancellationToken);

    /// <summary>A page of public threads only (no viewer: no direct messages).</summary>
    public static ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(this IChatHistory history, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => history.GetPageAsync(null, thread, beforeId, limit, cancellationToken);
}
