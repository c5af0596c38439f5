using Chatter.Protocol;
using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// The read side of the PostgreSQL store: replay, pages and the health probe. Each is one statement, so it reads one
/// snapshot in one round trip; replay and paging seek the <c>(thread, id)</c> index and visit threads, never scan messages.
/// </summary>
internal sealed class PostgresQueries(PostgresDatabase database)
{
    /// <summary>
    /// The replay. Not yet on PostgreSQL (issue 15): telling a whole replay from a cut one, so every replay is answered as
    /// not complete (a v2 client then gets <c>recovered: false</c> and pages back): safe, never a false promise.
    /// </summary>
    public async ValueTask<ChatReplay> ReplayAsync(long? sinceId, int perThread, int total, string epoch, CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var replay = new NpgsqlCommand(Sql.Replay, connection);
            replay.Parameters.AddWithValue("since", sinceId ?? 0);
            replay.Parameters.AddWithValue("per_thread", perThread);
            replay.Parameters.AddWithValue("total", total);
            await using var reader = await replay.ExecuteReaderAsync(cancellationToken);
            long highWater = 0;
            var messages = new List<ChatMessage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                highWater = reader.GetInt64(0);
                if (!reader.IsDBNull(1))
                {
                    messages.Add(ReadMessage(reader, 1));
                }
            }

            return new ChatReplay(HistoryOrder.NewestOldestFirst(messages, total), highWater, epoch, Complete: false);
        }, cancellationToken);

    /// <summary>The database's epoch (<c>meta.epoch</c>, made with the schema).</summary>
    public async ValueTask<string> EpochAsync(CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var query = new NpgsqlCommand("SELECT epoch FROM meta LIMIT 1;", connection);
            return (string)(await query.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<ChatMessage>> PageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var page = new NpgsqlCommand(thread is null ? Sql.PageAll : Sql.PageThread, connection);
            page.Parameters.AddWithValue("before", beforeId ?? long.MaxValue);
            page.Parameters.AddWithValue("limit", limit);
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
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(at + 4)));

    /// <summary>The queries on the read path.</summary>
    internal static class Sql
    {
        /// <summary>
        /// The high-water id (the counter's <c>last_id</c>) on every row, with the replay, in one statement and so one
        /// snapshot: the writers commit in id order (see <see cref="PostgresWriter"/>), so every id at or below it is in
        /// this snapshot and every later message gets a greater one (retention deletes rows, never lowers the counter).
        /// The threads with anything newer than since, newest first (at most <c>total</c> of them can contribute), and of
        /// each its newest <c>per_thread</c> messages, and of those the newest <c>total</c> (so only they cross the network);
        /// one row with no message when there are none.
        /// </summary>
        public const string Replay = """
            SELECT c.last_id, m.id, m.thread, m.message, m.sender, m.ts
            FROM (SELECT last_id FROM message_ids LIMIT 1) c
            LEFT JOIN LATERAL (
                SELECT p.id, p.thread, p.message, p.sender, p.ts
                FROM (SELECT name FROM threads WHERE last_id > @since AND name !~ '^@[0-9]+:' ORDER BY last_id DESC LIMIT @total) t
                CROSS JOIN LATERAL (
                    SELECT id, thread, message, sender, ts FROM messages
                    WHERE thread = t.name AND id > @since ORDER BY id DESC LIMIT @per_thread) p
                ORDER BY p.id DESC LIMIT @total
            ) m ON true;
            """;

        public const string PageAll = "SELECT id, thread, message, sender, ts FROM messages WHERE id < @before AND thread !~ '^@[0-9]+:' ORDER BY id DESC LIMIT @limit;";
        public const string PageThread = "SELECT id, thread, message, sender, ts FROM messages WHERE thread = @thread AND id < @before ORDER BY id DESC LIMIT @limit;";
    }
}
