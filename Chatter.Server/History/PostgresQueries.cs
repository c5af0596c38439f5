using Chatter.Protocol;
using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// The read side of the PostgreSQL store: replay, pages, read markers and the health probe. Each is one statement, so it reads one
/// snapshot in one round trip; replay and paging seek the <c>(thread, id)</c> index and visit threads, never scan messages.
/// </summary>
internal sealed class PostgresQueries(PostgresDatabase database)
{
    /// <summary>
    /// The replay, its high-water id, the database's epoch and whether it is whole, all of one statement's snapshot (so a
    /// database recreated under a running node answers its new epoch).
    /// </summary>
    public async ValueTask<ChatReplay> ReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            var since = sinceId ?? 0;
            await using var replay = new NpgsqlCommand(Sql.Replay, connection);
            replay.Parameters.AddWithValue("since", since);
            replay.Parameters.AddWithValue("per_thread", (long)perThread);
            replay.Parameters.AddWithValue("total", (long)total);
            replay.Parameters.Add(new NpgsqlParameter("viewer", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)viewer ?? DBNull.Value });
            await using var reader = await replay.ExecuteReaderAsync(cancellationToken);
            long highWater = 0;
            var epoch = "";
            var complete = true;
            var messages = new List<ChatMessage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                highWater = reader.GetInt64(0);
                epoch = reader.GetString(1);
                // Retention removed something newer than since, or a thread was cut at perThread.
                complete = reader.GetInt64(2) <= since && !reader.GetBoolean(3);
                if (!reader.IsDBNull(4))
                {
                    messages.Add(ReadMessage(reader, 4));
                }
            }

            // One more than total was read: its presence tells the replay was cut in all.
            var kept = HistoryOrder.NewestOldestFirst(messages, total);
            return new ChatReplay(kept, highWater, epoch, complete && kept.Count == messages.Count);
        }, cancellationToken);

    /// <summary>Every read marker of <paramref name="user"/>: thread → id.</summary>
    public async ValueTask<IReadOnlyDictionary<string, long>> ReadMarkersAsync(string user, CancellationToken cancellationToken)
        => await database.ReadAsync<IReadOnlyDictionary<string, long>>(async connection =>
        {
            await using var query = new NpgsqlCommand("SELECT thread, id FROM read_markers WHERE username = @user;", connection);
            query.Parameters.AddWithValue("user", user);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            var markers = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken))
            {
                markers[reader.GetString(0)] = reader.GetInt64(1);
            }

            return markers;
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<ChatMessage>> PageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var page = new NpgsqlCommand(thread is null ? Sql.PageAll : Sql.PageThread, connection);
            page.Parameters.AddWithValue("before", beforeId ?? long.MaxValue);
            page.Parameters.AddWithValue("limit", limit);
            page.Parameters.Add(new NpgsqlParameter("viewer", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)viewer ?? DBNull.Value });
            if (thread is not null)
            {
                page.Parameters.AddWithValue("thread", thread);
            }

            await using var reader = await page.ExecuteReaderAsync(cancellationToken);
            var messages = new List<ChatMessage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(ReadMessage(reader, 0));
            }

            return HistoryOrder.NewestOldestFirst(messages, limit);
        }, cancellationToken);

    /// <summary>Reads the schema version: throws <see cref="ChatHistoryException"/> when the database cannot be read.</summary>
    public async ValueTask CheckAsync(CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var probe = new NpgsqlCommand("SELECT version FROM schema_version LIMIT 1;", connection);
            return await probe.ExecuteScalarAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>The number of threads (the start's log line).</summary>
    public async Task<long> CountThreadsAsync(CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM threads;", connection);
            return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    private static ChatMessage ReadMessage(NpgsqlDataReader reader, int at)
        => new(
            reader.GetString(at + 1),
            reader.GetString(at + 2),
            reader.GetString(at + 3),
            reader.GetInt64(at),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(at + 4)),
            reader.IsDBNull(at + 5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(at + 5)));

    /// <summary>The queries on the read path.</summary>
    internal static class Sql
    {
        /// <summary>
        /// The high-water id (the counter's <c>last_id</c>), the epoch, <c>pruned_through</c> and whether a thread was cut,
        /// on every row with the replay, in one statement and so one snapshot: the writers commit in id order (see
        /// <see cref="PostgresWriter"/>), so every id at or below the high-water id is in this snapshot and every later
        /// message gets a greater one (retention deletes rows, never lowers the counter). The threads with anything newer
        /// than since, newest first (at most <c>total</c> of them can contribute; one more tells some were left out), of
        /// each its newest <c>per_thread</c> messages (one more tells the thread was cut: <c>cut</c>), and of those the
        /// newest <c>total</c> and one more, so only they cross the network; one row with no message when there are none.
        /// </summary>
        public const string Replay = """
            WITH candidates AS (
                SELECT p.id, p.thread, p.message, p.sender, p.ts, p.edited_ts, p.rn
                FROM (SELECT name FROM threads WHERE last_id > @since AND (member1 IS NULL OR member1 = @viewer OR member2 = @viewer)
                      ORDER BY last_id DESC LIMIT @total + 1) t
                CROSS JOIN LATERAL (
                    SELECT id, thread, message, sender, ts, edited_ts, row_number() OVER (ORDER BY id DESC) AS rn FROM messages
                    WHERE thread = t.name AND id > @since ORDER BY id DESC LIMIT @per_thread + 1) p),
            kept AS (SELECT id, thread, message, sender, ts, edited_ts FROM candidates WHERE rn <= @per_thread ORDER BY id DESC LIMIT @total + 1)
            SELECT c.last_id, e.epoch, e.pruned_through, EXISTS (SELECT 1 FROM candidates WHERE rn > @per_thread) AS cut,
                   m.id, m.thread, m.message, m.sender, m.ts, m.edited_ts
            FROM (SELECT last_id FROM message_ids LIMIT 1) c
            CROSS JOIN (SELECT epoch, pruned_through FROM meta LIMIT 1) e
            LEFT JOIN kept m ON true;
            """;

        /// <summary>Who may read a row: a public thread's (no members), or one of its two members.</summary>
        private const string Readable = "(member1 IS NULL OR member1 = @viewer OR member2 = @viewer)";

        public const string PageAll = "SELECT id, thread, message, sender, ts, edited_ts FROM messages WHERE id < @before AND " + Readable + " ORDER BY id DESC LIMIT @limit;";
        public const string PageThread = "SELECT id, thread, message, sender, ts, edited_ts FROM messages WHERE thread = @thread AND id < @before AND " + Readable + " ORDER BY id DESC LIMIT @limit;";
    }
}
