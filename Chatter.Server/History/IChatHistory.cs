using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// Where messages are kept. A message exists once <see cref="AppendAsync"/> has returned it: the hub
/// acknowledges and broadcasts only what a store has accepted.
/// </summary>
public interface IChatHistory
{
    /// <summary>Stores a message and gives it the next id and the current time.</summary>
    /// <exception cref="ChatHistoryException">The store could not keep the message; nothing was stored.</exception>
    ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken);

    /// <summary>
    /// The login replay, oldest first by id: of each thread the newest <paramref name="perThread"/>
    /// messages with an id greater than <paramref name="sinceId"/>, and of those the newest <paramref name="total"/>.
    /// </summary>
    ValueTask<IReadOnlyList<ChatMessage>> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken);

    /// <summary>
    /// The newest <paramref name="limit"/> messages with an id below <paramref name="beforeId"/> (all when null),
    /// of one thread or, when <paramref name="thread"/> is null, of all; oldest first.
    /// </summary>
    ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot serve; used by <c>/healthz</c>.</summary>
    ValueTask CheckAsync(CancellationToken cancellationToken);
}

/// <summary>A store refused a message or a query; the message was not stored.</summary>
public sealed class ChatHistoryException(string message, Exception? inner = null) : Exception(message, inner);
