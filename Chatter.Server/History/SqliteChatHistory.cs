using System.Threading.Channels;
using Chatter.Protocol;
using Chatter.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// History in an SQLite file (WAL), kept across restarts. Appends are committed in groups by one writer: every
/// message waiting when a commit starts goes into that transaction, so concurrent senders share an fsync.
/// A message is returned (and so acknowledged and broadcast) only after its transaction committed.
/// Replay and paging seek the <c>(thread, id)</c> index and visit threads, never scan messages, so they cost the
/// same with ten rows or ten million. Retention runs in small transactions in the background.
/// </summary>
public sealed class SqliteChatHistory : IChatHistory, IHostedService, IDisposable
{
    private const int MaxBatch = 512;
    private const int PruneChunk = 2_000;

    private readonly HistoryOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<SqliteChatHistory> logger;
    private readonly string connectionString;
    private readonly Channel<PendingAppend> appends = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource stopping = new();
    private readonly FailureThrottle failures;
    private Task? writer;
    private Task? pruner;

    public SqliteChatHistory(IOptions<ChatterOptions> options, TimeProvider time, ILogger<SqliteChatHistory> logger)
    {
        settings = options.Value.History;
        this.time = time;
        this.logger = logger;
        FilePath = Path.GetFullPath(settings.Path, Directory.GetCurrentDirectory());
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = settings.BusyTimeoutSeconds,
        }.ToString();
        failures = new FailureThrottle(time, TimeSpan.FromSeconds(10));
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using var connection = Open();
            SqliteSchema.Migrate(connection, FilePath);
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT COUNT(*) FROM threads;";
            var threads = (long)probe.ExecuteScalar()!;
            Log.Opened(logger, FilePath, threads);
        }
        catch (SqliteException ex)
        {
            // Never start empty over the user's data: a file we cannot read stops the server and is left as it is.
            throw new InvalidDataException($"history database '{FilePath}' cannot be opened ({ex.Message}); refusing to start. The file is left untouched.", ex);
        }

        writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        pruner = PruneLoopAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Finish storing what was accepted, then stop.
        appends.Writer.TryComplete();
        await stopping.CancelAsync();
        if (writer is not null)
        {
            await writer.WaitAsync(cancellationToken);
        }

        if (pruner is not null)
        {
            await pruner.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        appends.Writer.TryComplete();
        stopping.Dispose();
        using var pooled = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(pooled);
    }

    public async ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(thread, message, from);
        if (!appends.Writer.TryWrite(pending))
        {
            try
            {
                await appends.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException ex)
            {
                throw new ChatHistoryException("the history store is shutting down", ex);
            }
        }

        return await pending.Completion.Task;
    }

    public async ValueTask<ChatReplay> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken)
    {
        return new(await QueryAsync(connection =>
        {
            // One read transaction: every query below sees the same snapshot (WAL), so the replay holds every
            // message committed before it and none after; those after arrive live.
            using var snapshot = connection.BeginTransaction(deferred: true);

            // The threads with anything newer than since, newest first: at most `total` of them can contribute.
            var threads = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.Transaction = snapshot;
                list.CommandText = Sql.ReplayThreads;
                list.Parameters.AddWithValue("$since", sinceId ?? 0);
                list.Parameters.AddWithValue("$total", total);
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
            page.Parameters.AddWithValue("$limit", perThread);
            foreach (var name in threads)
            {
                thread.Value = name;
                ReadMessages(page, messages);
            }

            return HistoryOrder.NewestOldestFirst(messages, total);
        }, cancellationToken), 0);
    }

    public async ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => await QueryAsync(connection =>
        {
            using var page = connection.CreateCommand();
            page.CommandText = thread is null
                ? Sql.PageAll
                : Sql.PageThread;
            page.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
            page.Parameters.AddWithValue("$limit", limit);
            if (thread is not null)
            {
                page.Parameters.AddWithValue("$thread", thread);
            }

            var messages = new List<ChatMessage>();
            ReadMessages(page, messages);
            return HistoryOrder.NewestOldestFirst(messages, limit);
        }, cancellationToken);

    public async ValueTask CheckAsync(CancellationToken cancellationToken)
        => await QueryAsync(connection =>
        {
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT version FROM schema_version LIMIT 1;";
            probe.ExecuteScalar();
            return true;
        }, cancellationToken);

    /// <summary>
    /// Applies <c>Chatter:History:MaxPerThread</c> and <c>MaxAgeDays</c> now, in small transactions so senders are
    /// never held up for long. Runs every <c>PruneIntervalSeconds</c> on its own; returns the rows deleted.
    /// </summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        return await QueryAsync(connection =>
        {
            long deleted = 0;
            var over = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM threads WHERE count > $max;";
                list.Parameters.AddWithValue("$max", settings.MaxPerThread);
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    over.Add(reader.GetString(0));
                }
            }

            foreach (var thread in over)
            {
                // Everything at or below the id of the (max+1)-th newest message goes, a chunk at a time.
                deleted += DeleteInChunks(connection, thread, "id <= (SELECT id FROM messages WHERE thread = $thread ORDER BY id DESC LIMIT 1 OFFSET $max)", cancellationToken);
            }

            if (settings.MaxAgeDays > 0)
            {
                var cutoff = (time.GetUtcNow() - TimeSpan.FromDays(settings.MaxAgeDays)).ToUnixTimeMilliseconds();
                deleted += DeleteInChunks(connection, null, "ts < $cutoff", cancellationToken, cutoff);
            }

            return deleted;
        }, cancellationToken);
    }

    private long DeleteInChunks(SqliteConnection connection, string? thread, string condition, CancellationToken cancellationToken, long cutoff = 0)
    {
        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var transaction = connection.BeginTransaction();
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            var scope = thread is null ? "" : "thread = $thread AND ";
            delete.CommandText = $"""
                DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE {scope}{condition} ORDER BY id LIMIT $chunk)
                RETURNING thread;
                """;
            delete.Parameters.AddWithValue("$chunk", PruneChunk);
            delete.Parameters.AddWithValue("$max", settings.MaxPerThread);
            delete.Parameters.AddWithValue("$cutoff", cutoff);
            if (thread is not null)
            {
                delete.Parameters.AddWithValue("$thread", thread);
            }

            var perThread = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var reader = delete.ExecuteReader())
            {
                while (reader.Read())
                {
                    var name = reader.GetString(0);
                    perThread[name] = perThread.GetValueOrDefault(name) + 1;
                }
            }

            using var recount = connection.CreateCommand();
            recount.Transaction = transaction;
            recount.CommandText = "UPDATE threads SET count = count - $n WHERE name = $name; DELETE FROM threads WHERE name = $name AND count <= 0;";
            var n = recount.Parameters.Add("$n", SqliteType.Integer);
            var name2 = recount.Parameters.Add("$name", SqliteType.Text);
            foreach (var (name, count) in perThread)
            {
                n.Value = count;
                name2.Value = name;
                recount.ExecuteNonQuery();
            }

            transaction.Commit();
            var chunk = perThread.Values.Sum();
            deleted += chunk;
            if (chunk < PruneChunk)
            {
                break;
            }
        }

        return deleted;
    }

    private async Task PruneLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.PruneIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var deleted = await PruneAsync(cancellationToken);
                    if (deleted > 0)
                    {
                        Log.Pruned(logger, deleted);
                    }
                }
                catch (ChatHistoryException ex)
                {
                    Log.PruneFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the timer's wait is cancelled; nothing is half done (each chunk is its own transaction).
        }
    }

    private void WriteLoop()
    {
        using var connection = Open();
        // The writer is the only one that adds messages, so it numbers them itself (after the AUTOINCREMENT sequence, read
        // again in each transaction): no RETURNING row to read per message.
        using var sequence = connection.CreateCommand();
        sequence.CommandText = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0);";
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

        var batch = new List<PendingAppend>(MaxBatch);
        var stored = new List<ChatMessage>(MaxBatch);
        var touched = new Dictionary<string, (long LastId, int Count)>(StringComparer.Ordinal);
        var reader = appends.Reader;

        // This loop owns a dedicated thread (LongRunning): waiting on it blocks no pool thread.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            stored.Clear();
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

                transaction.Commit();
            }
            catch (SqliteException ex)
            {
                if (failures.ShouldLog(out var suppressed))
                {
                    Log.AppendFailed(logger, FilePath, batch.Count, suppressed, ex);
                }

                var failure = new ChatHistoryException("message not stored", ex);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(failure);
                }

                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(stored[i]);
            }
        }
    }

    private async Task<T> QueryAsync<T>(Func<SqliteConnection, T> query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Microsoft.Data.Sqlite has no truly asynchronous I/O; these are short index seeks.
            await using var connection = Open();
            return query(connection);
        }
        catch (SqliteException ex)
        {
            throw new ChatHistoryException($"history database '{FilePath}' could not be read: {ex.Message}", ex);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // FULL (default): a committed (acknowledged) message survives a crash of the process and of the machine.
        // NORMAL (Chatter:History:Synchronous): it survives a crash of the process; the machine's power loss may take the
        // newest commits (WAL: the file itself stays sound). No fsync per commit.
        pragma.CommandText = settings.Synchronous == "normal"
            ? "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;"
            : "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;";
        pragma.ExecuteNonQuery();
        return connection;
    }

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
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
    }

    /// <summary>The queries on the read path; each seeks an index (a test checks their plans).</summary>
    internal static class Sql
    {
        public const string ReplayThreads = "SELECT name FROM threads WHERE last_id > $since ORDER BY last_id DESC LIMIT $total;";
        public const string ReplayThread = "SELECT id, thread, message, sender, ts FROM messages WHERE thread = $thread AND id > $since ORDER BY id DESC LIMIT $limit;";
        public const string PageAll = "SELECT id, thread, message, sender, ts FROM messages WHERE id < $before ORDER BY id DESC LIMIT $limit;";
        public const string PageThread = "SELECT id, thread, message, sender, ts FROM messages WHERE thread = $thread AND id < $before ORDER BY id DESC LIMIT $limit;";
    }

    private sealed class PendingAppend(string thread, string message, string from)
    {
        public string Thread { get; } = thread;

        public string Message { get; } = message;

        public string From { get; } = from;

        public TaskCompletionSource<ChatMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
