using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// Where messages are kept. A message exists once <see cref="AppendAsync"/> has returned it: the hub
/// acknowledges and broadcasts only what a store has accepted.
/// </summary>
public interface IChatHistory
{
    /// <summary>
    /// Stores a message and gives it the next id and the current time; or, when the post repeats one of its user's within
    /// the dedupe window (<see cref="ChatPost.Ref"/>), answers that message, stored once.
    /// </summary>
    /// <exception cref="ChatHistoryException">The store could not keep the message; nothing was stored.</exception>
    ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken);

    /// <summary>
    /// The login replay of <paramref name="viewer"/>, oldest first by id: of each thread they may read (every public
    /// thread, and the direct-message threads they are one of the two users of, see <see cref="DirectThread"/>; public
    /// threads only when null) the newest <paramref name="perThread"/>
    /// messages with an id greater than <paramref name="sinceId"/>, and of those the newest <paramref name="total"/>;
    /// with the store's high-water id, its epoch and whether anything newer than <paramref name="sinceId"/> was left out,
    /// all of the same snapshot.
    /// </summary>
    /// <remarks>
    /// Every store guarantees <see cref="ChatReplay.HighWater"/> exactly: it is the highest id committed when the replay
    /// was read (whatever <paramref name="sinceId"/> and the bounds left out; 0 for an empty store), every message with an
    /// id at or below it is visible to readers, and every message appended afterwards gets a greater id. Stores number
    /// messages in commit order (SQLite: one writer; memory: one lock; Redis: INCR and ZADD in one script; PostgreSQL: a
    /// row-locked counter locked first in every write transaction, see PostgresWriter), which is what
    /// makes "at or below the high-water id means history" true.
    /// </remarks>
    ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken);

    /// <summary>
    /// The newest <paramref name="limit"/> messages with an id below <paramref name="beforeId"/> (all when null),
    /// of one thread (as stored: a direct-message thread by its key) or, when <paramref name="thread"/> is null, of all
    /// <paramref name="viewer"/> may read (public threads only when null); oldest first. Empty for a direct-message
    /// thread that is not the viewer's.
    /// </summary>
    ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the text of the message <see cref="ChatEdit.Id"/> and sets its edited time to now, when
    /// <see cref="ChatEdit.User"/> is its author (checked in the same atomic step as the change); replays, pages and
    /// <c>since</c> return the new text from then on.
    /// </summary>
    /// <exception cref="ChatHistoryException">The store could not make the change; nothing changed.</exception>
    ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the message <see cref="ChatDelete.Id"/> (its text is gone: replays, pages and <c>since</c> leave it out)
    /// when <see cref="ChatDelete.User"/> is its author or <see cref="ChatDelete.AsAdmin"/>, checked in the same atomic
    /// step. Ids are never reused: the high-water id and a replay's completeness are as if the id had never been stored.
    /// </summary>
    /// <exception cref="ChatHistoryException">The store could not make the change; nothing changed.</exception>
    ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken);

    /// <summary>The most threads a user keeps a read marker for.</summary>
    public const int MaxReadMarkersPerUser = 1_000;

    /// <summary>
    /// Records that <paramref name="user"/> has read <see cref="ReadMarker.Thread"/> up to <see cref="ReadMarker.Id"/>;
    /// a marker never moves backwards. Kept with the history, so it survives a restart and is shared by nodes sharing it.
    /// </summary>
    /// <exception cref="ChatHistoryException">The store could not keep it.</exception>
    ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken);

    /// <summary>Every read marker of <paramref name="user"/>: thread → id.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken);

    /// <summary>
    /// Throws <see cref="ChatHistoryException"/> when the store cannot serve (cannot be read, or can no longer store, as
    /// when the SQLite writer has stopped); used by <c>/healthz</c> and <c>/readyz</c>.
    /// </summary>
    ValueTask CheckAsync(CancellationToken cancellationToken);
}
