using Chatter.Protocol;
using Npgsql;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// The one writer of a node's PostgreSQL history, with the contract of <see cref="SqliteWriter"/>: appends wait in a
/// bounded channel; one loop commits them in groups (every message waiting when a transaction starts goes into it, so the
/// node's concurrent senders share a commit and its WAL flush); a message is returned, and so acknowledged and broadcast,
/// only after its transaction committed with <c>synchronous_commit</c> on, set in the transaction itself so that a server
/// or role default of off cannot weaken it.
/// <para>
/// <b>Ids in commit order across nodes.</b> A sequence would not do: two nodes could take ids 5 and 6 and commit 6 first,
/// and a replay between the two commits would call 6 history while 5 is still to come. So ids come from the one row of
/// <c>message_ids</c>: each transaction first updates it (<c>last_id = last_id + batch size</c>) and so holds its row lock
/// until it commits; another node's transaction waits on that lock, then reads the committed value and numbers after it.
/// Transactions that store messages therefore commit one after the other in id order, and a reader's snapshot that sees
/// <c>last_id = N</c> sees every message up to N (<see cref="PostgresQueries"/> reads it as the high-water id).
/// </para>
/// <para>
/// A batch PostgreSQL refuses or cannot take (the server stopped, the connection lost) fails its messages with
/// <c>message not stored</c>; the loop drops its connection, and the next batch opens a new one, so the node serves again
/// by itself once PostgreSQL is back. A commit whose answer is lost with the connection is reported as not stored
/// although PostgreSQL may have committed it (it then appears in history, not live). When the loop itself ends for any
/// other reason, <see cref="Fault"/> is set and every waiting and later append fails, as with SQLite.
/// </para>
/// </summary>
internal sealed class PostgresWriter(PostgresDatabase database, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// A batch in one statement: take the ids (the counter's row lock, held to the commit), insert the messages numbered
    /// after the counter's old value in the order queued, and update each thread's row once (in name order, as retention
    /// locks them, so the two never deadlock). Returns the id before the batch's first.
    /// </summary>
    private const string WriteBatch = """
        WITH ids AS (UPDATE message_ids SET last_id = last_id + @count RETURNING last_id - @count AS before),
        stored AS (
            INSERT INTO messages (id, thread, message, sender, ts)
            SELECT ids.before + u.n, u.thread, u.message, u.sender, @ts
            FROM ids, unnest(@threads, @messages, @senders) WITH ORDINALITY AS u(thread, message, sender, n)),
        touched AS (
            INSERT INTO threads (name, last_id, count)
            SELECT u.name, ids.before + u.last, u.count FROM ids, unnest(@names, @lasts, @counts) AS u(name, last, count)
            ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, count = threads.count + EXCLUDED.count)
        SELECT before FROM ids;
        """;

    private readonly AppendQueue appends = new();
    private readonly FailureThrottle failures = new(time, TimeSpan.FromSeconds(10));
    private Task? loop;

    /// <summary>Why the loop stopped when it stopped other than by <see cref="StopAsync"/>; null while it runs.</summary>
    public Exception? Fault => appends.Fault;

    /// <summary>
    /// Test seam: awaited with the writer's connection and the batch size before each batch is sent (while it waits, the
    /// next batch gathers in the queue).
    /// </summary>
    internal Func<NpgsqlConnection, int, Task>? BatchWriting { get; set; }

    public void Start() => loop = Task.Run(WriteLoopAsync);

    /// <summary>Stores what was accepted so far, then ends the loop.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        appends.Complete();
        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses appends from now on (the store is being disposed).</summary>
    public void Complete() => appends.Complete();

    public ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken)
    {
        // Refused here, alone: in a batch it would fail every other sender's message with it.
        if ((PostgresText.Refusal(thread) ?? PostgresText.Refusal(message) ?? PostgresText.Refusal(from)) is { } refusal)
        {
            return ValueTask.FromException<ChatMessage>(new ChatHistoryException($"message not stored: {refusal}"));
        }

        return appends.AppendAsync(thread, message, from, cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(AppendQueue.MaxBatch);
        try
        {
            await RunAsync(batch);
        }
        catch (Exception ex)
        {
            // Not shutdown (that ends RunAsync normally) nor PostgreSQL (RunAsync handles it): the writer is dead. Refuse
            // from now on rather than let anyone wait.
            Log.PostgresWriterStopped(logger, database.Name, ex);
            appends.Fail(ex, batch);
        }
    }

    private async Task RunAsync(List<PendingAppend> batch)
    {
        var stored = new List<ChatMessage>(AppendQueue.MaxBatch);
        NpgsqlConnection? connection = null;
        try
        {
            // No token: the loop ends when the channel is completed and drained (StopAsync), never half way.
            while (await appends.WaitToReadAsync())
            {
                appends.TakeBatch(batch);
                stored.Clear();

                try
                {
                    connection ??= await OpenAsync();
                    await WriteAsync(connection, batch, stored);
                }
                catch (Exception ex) when (PostgresDatabase.IsFailure(ex))
                {
                    if (failures.ShouldLog(out var suppressed))
                    {
                        Log.PostgresAppendFailed(logger, database.Name, batch.Count, suppressed, ex);
                    }

                    // The connection may be broken or mid-transaction: a new one for the next batch.
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    database.Forget(ex);
                    AppendQueue.FailBatch(batch, new ChatHistoryException("message not stored", ex));

                    batch.Clear();
                    continue;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(stored[i]);
                }

                batch.Clear();
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = await database.OpenAsync(CancellationToken.None);
        try
        {
            await using var durable = new NpgsqlCommand("SET synchronous_commit TO on;", connection);
            await durable.ExecuteNonQueryAsync(CancellationToken.None);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task WriteAsync(NpgsqlConnection connection, List<PendingAppend> batch, List<ChatMessage> stored)
    {
        if (BatchWriting is { } seam)
        {
            await seam(connection, batch.Count);
        }

        var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
        var threads = new string[batch.Count];
        var messages = new string[batch.Count];
        var senders = new string[batch.Count];
        // Each thread's last message in the batch (1-based) and its count.
        var touched = new Dictionary<string, (long Last, long Count)>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            threads[i] = batch[i].Thread;
            messages[i] = batch[i].Message;
            senders[i] = batch[i].From;
            touched[batch[i].Thread] = (i + 1, touched.GetValueOrDefault(batch[i].Thread).Count + 1);
        }

        var rows = touched.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        // The whole transaction in one round trip, so the counter's lock is held for the statement and the commit's WAL
        // flush, not for round trips: other nodes wait that much less. synchronous_commit is set in the transaction
        // itself (and for the session at open), whatever the server's, database's or role's default.
        await using var write = new NpgsqlBatch(connection);
        write.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN;"));
        write.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on;"));
        var insert = new NpgsqlBatchCommand(WriteBatch);
        insert.Parameters.AddWithValue("count", (long)batch.Count);
        insert.Parameters.AddWithValue("ts", now.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("threads", threads);
        insert.Parameters.AddWithValue("messages", messages);
        insert.Parameters.AddWithValue("senders", senders);
        insert.Parameters.AddWithValue("names", rows.Select(t => t.Key).ToArray());
        insert.Parameters.AddWithValue("lasts", rows.Select(t => t.Value.Last).ToArray());
        insert.Parameters.AddWithValue("counts", rows.Select(t => t.Value.Count).ToArray());
        write.BatchCommands.Add(insert);
        write.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT;"));

        // An error anywhere throws here, and PostgreSQL skips the rest of the batch (the COMMIT with it): nothing is stored.
        long? before = null;
        await using (var reader = await write.ExecuteReaderAsync(CancellationToken.None))
        {
            do
            {
                if (reader.FieldCount == 1 && await reader.ReadAsync(CancellationToken.None))
                {
                    before = reader.GetInt64(0);
                }
            }
            while (await reader.NextResultAsync(CancellationToken.None));
        }

        var first = (before ?? throw new InvalidOperationException("the batch statement returned no id")) + 1;
        for (var i = 0; i < batch.Count; i++)
        {
            stored.Add(new ChatMessage(batch[i].Thread, batch[i].Message, batch[i].From, first + i, now));
        }
    }
}
