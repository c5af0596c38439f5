using System.Threading.Channels;
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
internal sealed class SqliteWriter(SqliteDatabase database, TimeSpan dedupeWindow, TimeProvider time, ILogger logger)
{
    private const int MaxBatch = 512;

    private readonly Channel<SqlitePendingWrite> appends = Channel.CreateBounded<SqlitePendingWrite>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly FailureThrottle failures = new(time, TimeSpan.FromSeconds(10));
    private volatile Exception? fault;
    private Task? loop;

    /// <summary>Why the loop stopped when it stopped other than by <see cref="StopAsync"/>; null while it runs.</summary>
    public Exception? Fault => fault;

    /// <summary>Test seam: called with the batch size inside each batch's transaction, before the commit.</summary>
    internal Action<int>? BatchWriting { get; set; }

    public void Start()
        => loop = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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

    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
        => WriteAsync<ChatPosted>(post, cancellationToken);

    /// <summary>Stores a read marker in the next group commit, with the messages waiting then.</summary>
    public ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
        => WriteAsync<ReadMarkerResult>(new SqlitePendingWrite.MarkerWrite(user, marker), cancellationToken);

    /// <summary>Edits a message in the next group commit.</summary>
    public ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken)
        => WriteAsync<ChatEditResult>(edit, cancellationToken);

    /// <summary>Deletes a message in the next group commit.</summary>
    public ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete delete, CancellationToken cancellationToken)
        => WriteAsync<ChatDeleteResult>(delete, cancellationToken);

    private async ValueTask<T> WriteAsync<T>(object request, CancellationToken cancellationToken)
    {
        var pending = new SqlitePendingWrite(request);
        await EnqueueAsync(pending, cancellationToken);
        return await pending.ResultAsync<T>();
    }

    private async ValueTask EnqueueAsync(SqlitePendingWrite pending, CancellationToken cancellationToken)
    {
        if (fault is { } stopped)
        {
            throw Stopped(stopped);
        }

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
    }

    private static ChatHistoryException Stopped(Exception fault)
        => new("message not stored: the history writer has stopped", fault);

    private void WriteLoop()
    {
        var batch = new List<SqlitePendingWrite>(MaxBatch);
        try
        {
            Run(batch);
        }
        catch (Exception ex)
        {
            // Not shutdown (that ends Run normally): the writer is dead. Refuse from now on rather than let anyone wait.
            fault = ex;
            appends.Writer.TryComplete(ex);
            Log.WriterStopped(logger, database.FilePath, ex);
            var failure = Stopped(ex);
            foreach (var pending in batch)
            {
                pending.Fail(failure);
            }

            // Completed above, so nothing more can be written: these are all that still wait.
            while (appends.Reader.TryRead(out var waiting))
            {
                waiting.Fail(failure);
            }
        }
    }

    private void Run(List<SqlitePendingWrite> batch)
    {
        using var connection = database.Open();
        // The writer is the only one that adds messages, so it numbers them itself (after the AUTOINCREMENT sequence, read
        // again in each transaction): no RETURNING row to read per message.
        using var sequence = connection.CreateCommand();
        sequence.CommandText = SqliteQueries.Sql.HighWater;
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO messages (id, thread, message, sender, ts, ref, member1, member2) VALUES ($id, $thread, $message, $sender, $ts, $ref, $member1, $member2);";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var thread = insert.Parameters.Add("$thread", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        var sender = insert.Parameters.Add("$sender", SqliteType.Text);
        var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
        var clientRef = insert.Parameters.Add("$ref", SqliteType.Text);
        var member1 = insert.Parameters.Add("$member1", SqliteType.Text);
        var member2 = insert.Parameters.Add("$member2", SqliteType.Text);
        // Each thread's row is updated once per transaction, however many of its messages the transaction holds.
        using var touch = connection.CreateCommand();
        touch.CommandText = "INSERT INTO threads (name, last_id, count, member1, member2) VALUES ($thread, $id, $count, $member1, $member2) ON CONFLICT (name) DO UPDATE SET last_id = $id, count = count + $count;";
        var touchThread = touch.Parameters.Add("$thread", SqliteType.Text);
        var touchId = touch.Parameters.Add("$id", SqliteType.Integer);
        var touchCount = touch.Parameters.Add("$count", SqliteType.Integer);
        var touchMember1 = touch.Parameters.Add("$member1", SqliteType.Text);
        var touchMember2 = touch.Parameters.Add("$member2", SqliteType.Text);

        using var edits = new SqliteEdits(connection);
        using var markers = new SqliteReadMarkers(connection);
        using var resends = new SqliteResends(connection);
        var touched = new Dictionary<string, (long LastId, int Count)>(StringComparer.Ordinal);
        var reader = appends.Reader;

        // This loop owns a dedicated thread (LongRunning): waiting on it blocks no pool thread.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            touched.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

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
                    switch (pending.Request)
                    {
                        case SqlitePendingWrite.MarkerWrite write:
                            pending.Result = markers.Set(write.User, write.Marker, transaction);
                            continue;
                        case ChatEdit edit:
                            pending.Result = edits.Edit(edit, now, transaction);
                            continue;
                        case ChatDelete delete:
                            pending.Result = edits.Delete(delete, transaction);
                            continue;
                    }

                    var post = (ChatPost)pending.Request;
                    if (post.Ref is not null && dedupeWindow > TimeSpan.Zero && resends.Original(post, now - dedupeWindow, transaction) is { } resent)
                    {
                        pending.Result = new ChatPosted(resent, Resent: true);
                        continue;
                    }

                    id.Value = ++last;
                    thread.Value = post.Thread;
                    message.Value = post.Message;
                    sender.Value = post.From;
                    clientRef.Value = (object?)post.Ref ?? DBNull.Value;
                    var direct = DirectThread.TryParse(post.Thread, out var first, out var second);
                    member1.Value = direct ? first : DBNull.Value;
                    member2.Value = direct ? second : DBNull.Value;
                    insert.ExecuteNonQuery();
                    touched[post.Thread] = (last, touched.GetValueOrDefault(post.Thread).Count + 1);
                    pending.Result = new ChatPosted(new ChatMessage(post.Thread, post.Message, post.From, last, now), Resent: false);
                }

                foreach (var (name, (lastId, count)) in touched)
                {
                    touchThread.Value = name;
                    touchId.Value = lastId;
                    touchCount.Value = count;
                    var direct = DirectThread.TryParse(name, out var first, out var second);
                    touchMember1.Value = direct ? first : DBNull.Value;
                    touchMember2.Value = direct ? second : DBNull.Value;
                    touch.ExecuteNonQuery();
                }

                edits.ApplyThreadCounts(transaction);
                BatchWriting?.Invoke(batch.Count);
                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                edits.Reset();
                if (failures.ShouldLog(out var suppressed))
                {
                    Log.AppendFailed(logger, database.FilePath, batch.Count, suppressed, ex);
                }

                var failure = new ChatHistoryException("message not stored", ex);
                foreach (var pending in batch)
                {
                    pending.Fail(failure);
                }

                continue;
            }

            foreach (var pending in batch)
            {
                pending.Complete();
            }

            batch.Clear();
        }
    }
}
