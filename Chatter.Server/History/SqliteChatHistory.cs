using Chatter.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// History in an SQLite file (WAL), kept across restarts. This class is the store as the rest of Chatter sees it: it opens
/// and migrates the file at start (<see cref="SqliteSchema"/>), then hands appends to <see cref="SqliteWriter"/> (one
/// writer, group commits), reads to <see cref="SqliteQueries"/> and pruning to <see cref="SqliteRetention"/>, which runs
/// in the background. A writer that has stopped makes <see cref="CheckAsync"/> fail, so <c>/healthz</c> and
/// <c>/readyz</c> answer 503.
/// </summary>
public sealed class SqliteChatHistory : IChatHistory, IHostedService, IDisposable
{
    private readonly SqliteDatabase database;
    private readonly SqliteQueries queries;
    private readonly SqliteRetention retention;
    private readonly ILogger<SqliteChatHistory> logger;
    private readonly CancellationTokenSource stopping = new();
    private Task? pruner;

    public SqliteChatHistory(IOptions<HistoryOptions> options, TimeProvider time, ILogger<SqliteChatHistory> logger)
    {
        var settings = options.Value;
        this.logger = logger;
        database = new SqliteDatabase(settings);
        queries = new SqliteQueries(database);
        retention = new SqliteRetention(database, settings, time, logger);
        Writer = new SqliteWriter(database, TimeSpan.FromMinutes(settings.DedupeMinutes), time, logger);
    }

    /// <summary>The database file.</summary>
    public string FilePath => database.FilePath;

    /// <summary>The writer (tests reach its seam through it).</summary>
    internal SqliteWriter Writer { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            using var connection = database.Open();
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

        Writer.Start();
        pruner = retention.RunAsync(stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Finish storing what was accepted, then stop.
        var writing = Writer.StopAsync(cancellationToken);
        await stopping.CancelAsync();
        await writing;
        if (pruner is not null)
        {
            await pruner.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        Writer.Complete();
        stopping.Dispose();
        database.ClearPool();
    }

    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
        => Writer.AppendAsync(post, cancellationToken);

    public ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
        => Writer.SetReadMarkerAsync(user, marker, cancellationToken);

    public ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken)
        => Writer.EditAsync(edit, cancellationToken);

    public ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken)
        => Writer.DeleteAsync(removal, cancellationToken);

    public ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken)
        => queries.ReadMarkersAsync(user, cancellationToken);

    public ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => queries.ReplayAsync(viewer, sinceId, perThread, total, cancellationToken);

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => queries.PageAsync(viewer, thread, beforeId, limit, cancellationToken);

    /// <summary>Fails when the writer has stopped (nothing can be stored) or the file cannot be read.</summary>
    public async ValueTask CheckAsync(CancellationToken cancellationToken)
    {
        if (Writer.Fault is { } fault)
        {
            throw new ChatHistoryException("the history writer has stopped; messages are not stored until the server restarts", fault);
        }

        await queries.CheckAsync(cancellationToken);
    }

    /// <summary>
    /// Applies <c>Chatter:History:MaxPerThread</c> and <c>MaxAgeDays</c> now, in small transactions so senders are
    /// never held up for long. Runs every <c>PruneIntervalSeconds</c> on its own; returns the rows deleted.
    /// </summary>
    public Task<long> PruneAsync(CancellationToken cancellationToken) => retention.PruneAsync(cancellationToken);
}
