using Chatter.Protocol;
using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// One group commit of <see cref="PostgresWriter"/>, sent in one round trip: <c>BEGIN</c>; <c>synchronous_commit</c> on
/// for the transaction; the counter's row lock (<see cref="Lock"/>); the batch in one statement (<see cref="Write"/>);
/// <c>COMMIT</c>. The lock is its own statement so that the batch statement, which in READ COMMITTED takes its snapshot
/// when it starts, runs after the lock was granted: it sees every message another node committed before it, which is
/// what makes the resend lookup hold across nodes (a lookup in the statement that waits for the lock would read the
/// snapshot from before the wait and miss the message the lock's holder was committing).
/// </summary>
internal static class PostgresBatch
{
    /// <summary>The counter's row lock: taken first, held to the commit, so writers of every node commit one after the other.</summary>
    public const string Lock = "SELECT last_id FROM message_ids FOR UPDATE;";

    /// <summary>
    /// The batch: for each post (in queue order, <c>n</c>) the newest stored message of its sender with its ref, thread
    /// and text at or after <c>@since</c> (when <c>@dedupe</c>; the <c>(sender, ref)</c> index finds it), and the first
    /// post of the batch with the same sender, ref, thread and text (a resend within the batch). Posts with neither are
    /// fresh: numbered after the counter in queue order, inserted, and each thread's row updated once (in name order, as
    /// retention locks them). One row per post: its id, ts and whether it was a resend.
    /// </summary>
    public const string Write = """
        WITH input AS (
            SELECT u.n, u.thread, u.message, u.sender, u.ref, u.member1, u.member2, o.id AS original_id, o.ts AS original_ts,
                   CASE WHEN @dedupe AND u.ref IS NOT NULL
                        THEN min(u.n) OVER (PARTITION BY u.sender, u.ref, u.thread, u.message) ELSE u.n END AS first
            FROM unnest(@threads, @messages, @senders, @refs, @members1, @members2) WITH ORDINALITY AS u(thread, message, sender, ref, member1, member2, n)
            LEFT JOIN LATERAL (
                SELECT m.id, m.ts FROM messages m
                WHERE @dedupe AND u.ref IS NOT NULL
                  AND m.sender = u.sender AND m.ref = u.ref AND m.thread = u.thread AND m.message = u.message AND m.ts >= @since
                ORDER BY m.id DESC LIMIT 1) o ON true),
        fresh AS (
            SELECT n, thread, message, sender, ref, member1, member2, row_number() OVER (ORDER BY n) AS k
            FROM input WHERE original_id IS NULL AND first = n),
        ids AS (
            UPDATE message_ids SET last_id = last_id + (SELECT count(*) FROM fresh)
            RETURNING last_id - (SELECT count(*) FROM fresh) AS before),
        stored AS (
            INSERT INTO messages (id, thread, message, sender, ts, ref, member1, member2)
            SELECT ids.before + f.k, f.thread, f.message, f.sender, @ts, f.ref, f.member1, f.member2 FROM ids, fresh f),
        touched AS (
            INSERT INTO threads (name, last_id, count, member1, member2)
            SELECT f.thread, ids.before + max(f.k), count(*), max(f.member1), max(f.member2) FROM ids, fresh f GROUP BY f.thread, ids.before ORDER BY f.thread
            ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, count = threads.count + EXCLUDED.count)
        SELECT COALESCE(i.original_id, ids.before + f.k), COALESCE(i.original_ts, @ts), i.original_id IS NOT NULL OR i.first <> i.n
        FROM ids, input i LEFT JOIN fresh f ON f.n = i.first
        ORDER BY i.n;
        """;

    /// <summary>The round trip for <paramref name="batch"/>, stored at <paramref name="now"/>; resends looked up within <paramref name="dedupeWindow"/> (none when zero).</summary>
    public static NpgsqlBatch Create(NpgsqlConnection connection, List<PendingAppend> batch, DateTimeOffset now, TimeSpan dedupeWindow)
    {
        var threads = new string[batch.Count];
        var messages = new string[batch.Count];
        var senders = new string[batch.Count];
        var refs = new string?[batch.Count];
        var members1 = new string?[batch.Count];
        var members2 = new string?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var post = batch[i].Post;
            (threads[i], messages[i], senders[i], refs[i]) = (post.Thread, post.Message, post.From, post.Ref);
            if (DirectThread.TryParse(post.Thread, out var first, out var second))
            {
                (members1[i], members2[i]) = (first, second);
            }
        }

        // synchronous_commit is set in the transaction itself (and for the session at open), whatever the server's,
        // database's or role's default.
        var write = new NpgsqlBatch(connection);
        write.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN;"));
        write.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on;"));
        write.BatchCommands.Add(new NpgsqlBatchCommand(Lock));
        var insert = new NpgsqlBatchCommand(Write);
        insert.Parameters.AddWithValue("dedupe", dedupeWindow > TimeSpan.Zero);
        insert.Parameters.AddWithValue("since", (now - dedupeWindow).ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("ts", now.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("threads", threads);
        insert.Parameters.AddWithValue("messages", messages);
        insert.Parameters.AddWithValue("senders", senders);
        insert.Parameters.Add(new NpgsqlParameter("refs", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = refs });
        insert.Parameters.Add(new NpgsqlParameter("members1", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = members1 });
        insert.Parameters.Add(new NpgsqlParameter("members2", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = members2 });
        write.BatchCommands.Add(insert);
        write.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT;"));
        return write;
    }

    /// <summary>
    /// Sends <paramref name="write"/> and answers each post of <paramref name="batch"/> into <paramref name="posted"/>, in
    /// order. An error anywhere throws here, and PostgreSQL skips the rest of the batch (the COMMIT with it): nothing is
    /// stored.
    /// </summary>
    public static async Task ExecuteAsync(NpgsqlBatch write, List<PendingAppend> batch, List<ChatPosted> posted)
    {
        await using var reader = await write.ExecuteReaderAsync(CancellationToken.None);
        var rows = new List<(long Id, long Ts, bool Resent)>(batch.Count);
        do
        {
            // The batch statement's result is the only one with three columns (the lock's has one, the others none).
            if (reader.FieldCount == 3)
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2)));
                }
            }
        }
        while (await reader.NextResultAsync(CancellationToken.None));

        if (rows.Count != batch.Count)
        {
            throw new InvalidOperationException($"the batch statement answered {rows.Count} rows for {batch.Count} posts");
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var post = batch[i].Post;
            var message = new ChatMessage(post.Thread, post.Message, post.From, rows[i].Id, DateTimeOffset.FromUnixTimeMilliseconds(rows[i].Ts));
            posted.Add(new ChatPosted(message, rows[i].Resent));
        }
    }
}
