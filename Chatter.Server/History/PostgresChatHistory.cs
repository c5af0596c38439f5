using Chatter.Protocol;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// History in PostgreSQL (<c>Chatter:History:Store=postgres</c>, <c>Chatter:History:ConnectionString</c>), shared by every
/// node of a deployment and as durable as the database. Laid out as the SQLite store: this class opens and migrates the
/// database at start (<see cref="PostgresSchema"/>), then hands appends to <see cref="PostgresWriter"/> (one writer per
/// node, group commits, ids in commit order across nodes, resends answered with their original), reads to
/// <see cref="PostgresQueries"/>, read markers to <see cref="PostgresReadMarkers"/> and pruning to
/// <see cref="PostgresRetention"/>, in the background. While PostgreSQL is unreachable, appends fail with
/// <c>message not stored</c> and <see cref="CheckAsync"/> fails (<c>/readyz</c> 503); both recover by themselves.
/// </summary>
public sealed class PostgresChatHistory : IChatHistory, IHostedService, IAsyncDisposable
{
    private readonly PostgresDatabase database;
    private readonly PostgresQueries queries;
    private readonly PostgresRetention retention;
    private readonly PostgresReadMarkers markers;
    private readonly PostgresEdits edits;
    private readonly ILogger<PostgresChatHistory> logger;
    private readonly CancellationTokenSource stopping = new();
    private Task? pruner;

    public PostgresChatHistory(IOptions<HistoryOptions> options, TimeProvider time, ILogger<PostgresChatHistory> logger)
    {
        var settings = options.Value;
        this.logger = logger;
        database = new PostgresDatabase(settings);
        queries = new PostgresQueries(database);
        retention = new PostgresRetention(database, settings, time, logger);
        markers = new PostgresReadMarkers(database);
        edits = new PostgresEdits(database, time);
        Writer = new PostgresWriter(database, TimeSpan.FromMinutes(settings.DedupeMinutes), time, logger);
    }

    /// <summary><c>host:port/database</c> (no credentials).</summary>
    public string DatabaseName => database.Name;

    /// <summary>The writer (tests reach its seam through it; the liveness check reads its fault).</summary>
    internal PostgresWriter Writer { get; }

    /// <exception cref="InvalidDataException">The database cannot be reached or migrated, or is newer than this Chatter.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                await PostgresSchema.MigrateAsync(connection, database.Name, cancellationToken);
            }

            Log.PostgresOpened(logger, database.Name, await queries.CountThreadsAsync(cancellationToken));
        }
        catch (Exception ex) when (PostgresDatabase.IsFailure(ex) || ex is ChatHistoryException)
        {
            // Without its schema the store cannot serve: refuse the start (a supervisor starts the node again).
            throw new InvalidDataException($"history database '{database.Name}' cannot be opened ({ex.Message}); refusing to start.", ex);
        }

        Writer.Start();
        pruner = retention.RunAsync(stopping.Token);
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

    public async ValueTask DisposeAsync()
    {
        Writer.Complete();
        stopping.Dispose();
        await database.DisposeAsync();
    }

    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
        => Writer.AppendAsync(post, cancellationToken);

    public ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => queries.ReplayAsync(viewer, sinceId, perThread, total, cancellationToken);

    public ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
        => markers.SetAsync(user, marker, cancellationToken);

    public ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken)
        => queries.ReadMarkersAsync(user, cancellationToken);

    /// <summary>The author's edit, in one statement (<see cref="PostgresEdits"/>).</summary>
    public ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken)
        => edits.EditAsync(edit, cancellationToken);

    /// <summary>The author's or an admin's delete, in one statement (<see cref="PostgresEdits"/>).</summary>
    public ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken)
        => edits.DeleteAsync(removal, cancellationToken);

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
        => queries.PageAsync(viewer, thread, beforeId, limit, cancellationToken);

    /// <summary>Fails when the writer has stopped (nothing can be stored) or the database cannot be read.</summary>
    public async ValueTask CheckAsync(CancellationToken cancellationToken)
    {
        if (Writer.Fault is { } fault)
        {
            throw new ChatHistoryException("the history writer has stopped; messages are not stored until the server restarts", fault);
        }

        await queries.CheckAsync(cancellationToken);
    }

    /// <summary>
    /// Applies <c>Chatter:History:MaxPerThread</c> and <c>MaxAgeDays</c> now, in small transactions. Runs every
    /// <c>PruneIntervalSeconds</c> on its own; returns the rows deleted.
    /// </summary>
    public Task<long> PruneAsync(CancellationToken cancellationToken) => retention.PruneAsync(cancellationToken);
}
