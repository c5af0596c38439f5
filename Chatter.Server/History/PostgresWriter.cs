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
/// <c>message_ids</c>: each transaction first locks it (<see cref="PostgresBatch.Lock"/>), then raises it by the number of
/// messages it stores, and holds the row lock until it commits; another node's transaction waits on that lock, then reads
/// the committed value and numbers after it.
/// Transactions that store messages therefore commit one after the other in id order, and a reader's snapshot that sees
/// <c>last_id = N</c> sees every message up to N (<see cref="PostgresQueries"/> reads it as the high-water id).
/// </para>
/// <para>
/// <b>Resends</b> (<c>Chatter:History:DedupeMinutes</c>): a post whose sender, ref, thread and text equal a message that
/// sender stored within the window is answered with that message (<see cref="ChatPosted.Resent"/>) and not stored. The
/// lookup runs inside the transaction after the counter's lock was granted, so it sees what every node committed before;
/// two nodes taking the same resend at once store it once. A resend within one batch is its first post's resend.
/// </para>
/// <para>
/// A batch PostgreSQL refuses or cannot take (the server stopped, the connection lost) fails its messages with
/// <c>message not stored</c>; the loop drops its connection, and the next batch opens a new one, so the node serves again
/// by itself once PostgreSQL is back. A commit whose answer is lost with the connection is reported as not stored
/// although PostgreSQL may have committed it (it then appears in history, not live). When the loop itself ends for any
/// other reason, <see cref="Fault"/> is set and every waiting and later append fails, as with SQLite.
/// </para>
/// </summary>
internal sealed class PostgresWriter(PostgresDatabase database, TimeSpan dedupeWindow, TimeProvider time, ILogger logger)
{
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

    /// <summary>Stores <paramref name="post"/> in the next group commit, or answers the message it resends.</summary>
    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        // Refused here, alone: in a batch it would fail every other sender's message with it.
        if ((PostgresText.Refusal(post.Thread) ?? PostgresText.Refusal(post.Message) ?? PostgresText.Refusal(post.From)
            ?? (post.Ref is null ? null : PostgresText.Refusal(post.Ref))) is { } refusal)
        {
            return ValueTask.FromException<ChatPosted>(new ChatHistoryException($"message not stored: {refusal}"));
        }

        return appends.AppendAsync(post, cancellationToken);
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
        var stored = new List<ChatPosted>(AppendQueue.MaxBatch);
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

    private async Task WriteAsync(NpgsqlConnection connection, List<PendingAppend> batch, List<ChatPosted> stored)
    {
        if (BatchWriting is { } seam)
        {
            await seam(connection, batch.Count);
        }

        // The whole transaction in one round trip, so the counter's lock is held for the statement and the commit's WAL
        // flush, not for round trips: other nodes wait that much less.
        var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
        await using var write = PostgresBatch.Create(connection, batch, now, dedupeWindow);
        await PostgresBatch.ExecuteAsync(write, batch, stored);
    }
}
