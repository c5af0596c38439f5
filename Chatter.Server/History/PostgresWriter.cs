using System.Threading.Channels;
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
    private const int MaxBatch = 512;

    private const string AllocateIds = "UPDATE message_ids SET last_id = last_id + @count RETURNING last_id;";
    private const string InsertMessages = "INSERT INTO messages (id, thread, message, sender, ts) SELECT * FROM unnest(@ids, @threads, @messages, @senders, @ts);";
    private const string TouchThreads = """
        INSERT INTO threads (name, last_id, count) SELECT * FROM unnest(@names, @last_ids, @counts)
        ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, count = threads.count + EXCLUDED.count;
        """;

    private readonly Channel<PendingAppend> appends = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly FailureThrottle failures = new(time, TimeSpan.FromSeconds(10));
    private volatile Exception? fault;
    private Task? loop;

    /// <summary>Why the loop stopped when it stopped other than by <see cref="StopAsync"/>; null while it runs.</summary>
    public Exception? Fault => fault;

    /// <summary>
    /// Test seam: awaited with the writer's connection and the batch size inside each batch's transaction, after its rows
    /// are written, before the commit.
    /// </summary>
    internal Func<NpgsqlConnection, int, Task>? BatchWriting { get; set; }

    public void Start() => loop = Task.Run(WriteLoopAsync);

    /// <summary>Stores what was accepted so far, then ends the loop.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        appends.Writer.TryComplete();
        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses appends from now on (the store is being disposed).</summary>
    public void Complete() => appends.Writer.TryComplete();

    public async ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken)
    {
        if (fault is { } stopped)
        {
            throw Stopped(stopped);
        }

        // Refused here, alone: in a batch it would fail every other sender's message with it.
        if ((PostgresText.Refusal(thread) ?? PostgresText.Refusal(message) ?? PostgresText.Refusal(from)) is { } refusal)
        {
            throw new ChatHistoryException($"message not stored: {refusal}");
        }

        var pending = new PendingAppend(thread, message, from);
        if (!appends.Writer.TryWrite(pending))
        {
            try
            {
                await appends.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException ex)
            {
                throw fault is { } failed ? Stopped(failed) : new ChatHistoryException("the history store is shutting down", ex);
            }
        }

        return await pending.Completion.Task;
    }

    private static ChatHistoryException Stopped(Exception fault)
        => new("message not stored: the history writer has stopped", fault);

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        try
        {
            await RunAsync(batch);
        }
        catch (Exception ex)
        {
            // Not shutdown (that ends RunAsync normally) nor PostgreSQL (RunAsync handles it): the writer is dead. Refuse
            // from now on rather than let anyone wait.
            fault = ex;
            appends.Writer.TryComplete(ex);
            Log.PostgresWriterStopped(logger, database.Name, ex);
            var failure = Stopped(ex);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(failure);
            }

            // Completed above, so nothing more can be written: these are all that still wait.
            while (appends.Reader.TryRead(out var waiting))
            {
                waiting.Completion.TrySetException(failure);
            }
        }
    }

    private async Task RunAsync(List<PendingAppend> batch)
    {
        var reader = appends.Reader;
        var stored = new List<ChatMessage>(MaxBatch);
        NpgsqlConnection? connection = null;
        try
        {
            // No token: the loop ends when the channel is completed and drained (StopAsync), never half way.
            while (await reader.WaitToReadAsync())
            {
                batch.Clear();
                stored.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    connection ??= await database.OpenAsync(CancellationToken.None);
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
                    var failure = new ChatHistoryException("message not stored", ex);
                    foreach (var pending in batch)
                    {
                        pending.Completion.TrySetException(failure);
                    }

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

    private async Task WriteAsync(NpgsqlConnection connection, List<PendingAppend> batch, List<ChatMessage> stored)
    {
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        long last;
        await using (var allocate = new NpgsqlCommand(AllocateIds, connection, transaction))
        {
            // Takes the counter's row lock until the commit: see the class comment.
            allocate.Parameters.AddWithValue("count", (long)batch.Count);
            last = (long)(await allocate.ExecuteScalarAsync(CancellationToken.None))!;
        }

        var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
        var ids = new long[batch.Count];
        var threads = new string[batch.Count];
        var messages = new string[batch.Count];
        var senders = new string[batch.Count];
        var ts = new long[batch.Count];
        var touched = new Dictionary<string, (long LastId, long Count)>(StringComparer.Ordinal);
        var first = last - batch.Count + 1;
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            ids[i] = first + i;
            threads[i] = pending.Thread;
            messages[i] = pending.Message;
            senders[i] = pending.From;
            ts[i] = now.ToUnixTimeMilliseconds();
            touched[pending.Thread] = (ids[i], touched.GetValueOrDefault(pending.Thread).Count + 1);
            stored.Add(new ChatMessage(pending.Thread, pending.Message, pending.From, ids[i], now));
        }

        await using (var write = new NpgsqlBatch(connection, transaction))
        {
            // Explicit, whatever the server's or the role's default: the commit returns once its WAL is on disk.
            write.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on;"));
            var insert = new NpgsqlBatchCommand(InsertMessages);
            insert.Parameters.AddWithValue("ids", ids);
            insert.Parameters.AddWithValue("threads", threads);
            insert.Parameters.AddWithValue("messages", messages);
            insert.Parameters.AddWithValue("senders", senders);
            insert.Parameters.AddWithValue("ts", ts);
            write.BatchCommands.Add(insert);
            // Thread rows are locked in name order, as retention locks them, so the two never deadlock.
            var rows = touched.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
            var touch = new NpgsqlBatchCommand(TouchThreads);
            touch.Parameters.AddWithValue("names", rows.Select(t => t.Key).ToArray());
            touch.Parameters.AddWithValue("last_ids", rows.Select(t => t.Value.LastId).ToArray());
            touch.Parameters.AddWithValue("counts", rows.Select(t => t.Value.Count).ToArray());
            write.BatchCommands.Add(touch);
            await write.ExecuteNonQueryAsync(CancellationToken.None);
        }

        if (BatchWriting is { } seam)
        {
            await seam(connection, batch.Count);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private sealed class PendingAppend(string thread, string message, string from)
    {
        public string Thread { get; } = thread;

        public string Message { get; } = message;

        public string From { get; } = from;

        public TaskCompletionSource<ChatMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
