using Chatter.Protocol;
using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The read side of the SQLite store: replay, pages and the health probe. Replay and paging seek the
/// <c>(thread, id)</c> index and visit threads, never scan messages, so they cost the same with ten rows or ten million.
/// </summary>
internal sealed class SqliteQueries(SqliteDatabase database)
{
    public async ValueTask<ChatReplay> ReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => await database.ReadAsync(connection =>
        {
            // One read transaction: every query below sees the same snapshot (WAL), so the replay holds every message
            // committed before it and none after; those after arrive live.
            using var snapshot = connection.BeginTransaction(deferred: true);

            // The high-water id of that snapshot. The single writer numbers messages after this sequence and commits
            // them with it, so every id at or below it is committed and every later message gets a greater one
            // (retention deletes rows but never lowers the sequence).
            long highWater;
            using (var sequence = connection.CreateCommand())
            {
                sequence.Transaction = snapshot;
                sequence.CommandText = Sql.HighWater;
                highWater = (long)sequence.ExecuteScalar()!;
            }

            // The epoch, and whether retention removed anything newer than since: then the replay cannot be whole.
            string epoch;
            bool complete;
            using (var meta = connection.CreateCommand())
            {
                meta.Transaction = snapshot;
                meta.CommandText = Sql.Meta;
                using var row = meta.ExecuteReader();
                row.Read();
                epoch = row.GetString(0);
                complete = row.GetInt64(1) <= (sinceId ?? 0);
            }

            if (perThread == 0 || total == 0)
            {
                return new ChatReplay([], highWater, epoch, complete && highWater <= (sinceId ?? 0));
            }

            // The threads with anything newer than since, newest first: at most `total` of them can contribute (one more
            // tells that some were left out).
            var threads = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.Transaction = snapshot;
                list.CommandText = Sql.ReplayThreads;
                list.Parameters.AddWithValue("$since", sinceId ?? 0);
                list.Parameters.AddWithValue("$total", total + 1);
                list.Parameters.AddWithValue("$viewer", (object?)viewer ?? DBNull.Value);
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    threads.Add(reader.GetString(0));
                }
            }

            var messages = new List<ChatMessage>();
            using var page = connection.CreateCommand();
            page.Transaction = snapshot;
            page.CommandText = Sql.ReplayThread;
            var thread = page.Parameters.Add("$thread", SqliteType.Text);
            page.Parameters.AddWithValue("$since", sinceId ?? 0);
            // One more than the bound: its presence tells the thread was cut.
            page.Parameters.AddWithValue("$limit", perThread + 1);
            foreach (var name in threads)
            {
                thread.Value = name;
                var start = messages.Count;
                ReadMessages(page, messages);
                if (messages.Count - start > perThread)
                {
                    // Newest first: the last one read is the oldest, the one past the bound.
                    messages.RemoveAt(messages.Count - 1);
                    complete = false;
                }
            }

            var replay = HistoryOrder.NewestOldestFirst(messages, total);
            return new ChatReplay(replay, highWater, epoch, complete && replay.Count == messages.Count);
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<ChatMessage>> PageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => await database.ReadAsync(connection =>
        {
            using var page = connection.CreateCommand();
            page.CommandText = thread is null
                ? Sql.PageAll
                : Sql.PageThread;
            page.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
            page.Parameters.AddWithValue("$limit", limit);
            page.Parameters.AddWithValue("$viewer", (object?)viewer ?? DBNull.Value);
            if (thread is not null)
            {
                page.Parameters.AddWithValue("$thread", thread);
            }

            var messages = new List<ChatMessage>();
            ReadMessages(page, messages);
            return HistoryOrder.NewestOldestFirst(messages, limit);
        }, cancellationToken);

    public async ValueTask<IReadOnlyDictionary<string, long>> ReadMarkersAsync(string user, CancellationToken cancellationToken)
        => await database.ReadAsync<IReadOnlyDictionary<string, long>>(connection =>
        {
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT thread, id FROM read_markers WHERE user = $user;";
            query.Parameters.AddWithValue("$user", user);
            using var reader = query.ExecuteReader();
            var markers = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read())
            {
                markers[reader.GetString(0)] = reader.GetInt64(1);
            }

            return markers;
        }, cancellationToken);

    /// <summary>Reads the schema version: throws <see cref="ChatHistoryException"/> when the file cannot be read.</summary>
    public async ValueTask CheckAsync(CancellationToken cancellationToken)
        => await database.ReadAsync(connection =>
        {
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT version FROM schema_version LIMIT 1;";
            probe.ExecuteScalar();
            return true;
        }, cancellationToken);

    private static void ReadMessages(SqliteCommand command, List<ChatMessage> into)
    {
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            into.Add(new ChatMessage(
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }
    }

    /// <summary>The queries on the read path; each seeks an index (a test checks their plans).</summary>
    internal static class Sql
    {
        public const string HighWater = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0);";
        public const string Meta = "SELECT epoch, pruned_through FROM meta;";
        /// <summary>Who may read a row of messages or threads: a public thread (no members), or one of its two members.</summary>
        private const string Readable = "(member1 IS NULL OR member1 = $viewer OR member2 = $viewer)";

        public const string ReplayThreads = "SELECT name FROM threads WHERE last_id > $since AND " + Readable + " ORDER BY last_id DESC LIMIT $total;";
        public const string ReplayThread = "SELECT id, thread, message, sender, ts, edited_ts FROM messages WHERE thread = $thread AND id > $since ORDER BY id DESC LIMIT $limit;";
        public const string PageAll = "SELECT id, thread, message, sender, ts, edited_ts FROM messages WHERE id < $before AND " + Readable + " ORDER BY id DESC LIMIT $limit;";
        public const string PageThread = "SELECT id, thread, message, sender, ts, edited_ts FROM messages WHERE thread = $thread AND id < $before AND " + Readable + " ORDER BY id DESC LIMIT $limit;";
    }
}
