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
    /// messages with an id greater than <paramref name="sinceId"/>, and of those the newest <paramref name="total"/>;
    /// with the store's high-water id at the same snapshot.
    /// </summary>
    /// <remarks>
    /// Every store guarantees <see cref="ChatReplay.HighWater"/> exactly: it is the highest id committed when the replay
    /// was read (whatever <paramref name="sinceId"/> and the bounds left out; 0 for an empty store), every message with an
    /// id at or below it is visible to readers, and every message appended afterwards gets a greater id. Stores number
    /// messages in commit order (SQLite: one writer; memory: one lock; Redis: INCR and ZADD in one script; PostgreSQL: a
    /// row-locked counter updated first in every write transaction, see PostgresWriter), which is what
    /// makes "at or below the high-water id means history" true.
    /// </remarks>
    ValueTask<ChatReplay> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken);

    /// <summary>
    /// The newest <paramref name="limit"/> messages with an id below <paramref name="beforeId"/> (all when null),
    /// of one thread or, when <paramref name="thread"/> is null, of all; oldest first.
    /// </summary>
    ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Throws <see cref="ChatHistoryException"/> when the store cannot serve (cannot be read, or can no longer store, as
    /// when the SQLite writer has stopped); used by <c>/healthz</c> and <c>/readyz</c>.
    /// </summary>
    ValueTask CheckAsync(CancellationToken cancellationToken);
}
