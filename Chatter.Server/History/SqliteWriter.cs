using Chatter.Protocol;
using Microsoft.Data.Sqlite;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// The one owner of the SQLite write connection. Appends wait in a bounded channel; a loop on its own thread commits them
/// in groups: every message waiting when a commit starts goes into that transaction, so concurrent senders share an
/// fsync. A message is returned (and so acknowledged and broadcast) only after its transaction committed.
/// <para>
/// A batch SQLite refuses (a full disk, a locked file) fails its messages and the loop goes on. When the loop itself ends
/// for any other reason, it is logged once, the batch in hand and every waiting and later append fail with
/// <see cref="ChatHistoryException"/>, and <see cref="Fault"/> turns the health checks red: nothing waits on a dead writer.
/// </para>
/// </summary>
internal sealed class SqliteWriter(SqliteDatabase database, TimeProvider time, ILogger logger)
{
    private readonly AppendQueue appends = new();
    private readonly FailureThrottle failures = new(time, TimeSpan.FromSeconds(10));
    private Task? loop;

    /// <summary>Why the loop stopped when it stopped other than by <see cref="StopAsync"/>; null while it runs.</summary>
    public Exception? Fault => appends.Fault;

    /// <summary>Test seam: called with the batch size inside each batch's transaction, before the commit.</summary>
    internal Action<int>? BatchWriting { get; set; }

    public void Start()
        => loop = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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
        => appends.AppendAsync(thread, message, from, cancellationToken);

    private void WriteLoop()
    {
        var batch = new List<PendingAppend>(AppendQueue.MaxBatch);
        try
        {
            Run(batch);
        }
        catch (Exception ex)
        {
            // Not shutdown (that ends Run normally): the writer is dead. Refuse from now on rather than let anyone wait.
            Log.WriterStopped(logger, database.FilePath, ex);
            appends.Fail(ex, batch);
        }
    }

    private void Run(List<PendingAppend> batch)
    {
        using var connection = database.Open();
        // The writer is the only one that adds messages, so it numbers them itself (after the AUTOINCREMENT sequence, read
        // again in each transaction): no RETURNING row to read per message.
        using var sequence = connection.CreateCommand();
        sequence.CommandText = SqliteQueries.Sql.HighWater;
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO messages (id, thread, message, sender, ts) VALUES ($id, $thread, $message, $sender, $ts);";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var thread = insert.Parameters.Add("$thread", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        var sender = insert.Parameters.Add("$sender", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        // Each thread's row is updated once per transaction, however many of its messages the transaction holds.
        using var touch = connection.CreateCommand();
        touch.CommandText = "INSERT INTO threads (name, last_id, count) VALUES ($thread, $id, $count) ON CONFLICT (name) DO UPDATE SET last_id = $id, count = count + $count;";
        var touchThread = touch.Parameters.Add("$thread", SqliteType.Text);
        var touchId = touch.Parameters.Add("$id", SqliteType.Integer);
        var touchCount = touch.Parameters.Add("$count", SqliteType.Integer);

        var stored = new List<ChatMessage>(AppendQueue.MaxBatch);
        var touched = new Dictionary<string, (long LastId, int Count)>(StringComparer.Ordinal);

        // This loop owns a dedicated thread (LongRunning): waiting on it blocks no pool thread.
        while (appends.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            appends.TakeBatch(batch);
            stored.Clear();
            touched.Clear();

            try
            {
                using var transaction = connection.BeginTransaction();
                sequence.Transaction = transaction;
                insert.Transaction = transaction;
                touch.Transaction = transaction;
                var last = (long)sequence.ExecuteScalar()!;
                var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
                ts.Value = now.ToUnixTimeMilliseconds();
                foreach (var pending in batch)
                {
                    id.Value = ++last;
                    thread.Value = pending.Thread;
                    message.Value = pending.Message;
                    sender.Value = pending.From;
                    insert.ExecuteNonQuery();
                    touched[pending.Thread] = (last, touched.GetValueOrDefault(pending.Thread).Count + 1);
                    stored.Add(new ChatMessage(pending.Thread, pending.Message, pending.From, last, now));
                }

                foreach (var (name, (lastId, count)) in touched)
                {
                    touchThread.Value = name;
                    touchId.Value = lastId;
                    touchCount.Value = count;
                    touch.ExecuteNonQuery();
                }

                BatchWriting?.Invoke(batch.Count);
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                if (failures.ShouldLog(out var suppressed))
                {
                    Log.AppendFailed(logger, database.FilePath, batch.Count, suppressed, ex);
                }

                AppendQueue.FailBatch(batch, new ChatHistoryException("message not stored", ex));

                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(stored[i]);
            }

            batch.Clear();
        }
    }
}
