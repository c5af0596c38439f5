using System.Globalization;
using Chatter.Protocol;
using Chatter.Server.Backplane;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// History in Redis, shared by every node of a deployment (<c>Chatter:History:Store=redis</c>). Ids come from one
/// counter (INCR), so they increase across nodes; an append is one Lua script (id, thread index, id index and message
/// together, or nothing), and a replay or page is one script too, so it reads a consistent snapshot. The layout is in
/// <see cref="RedisHistoryScripts"/>. Retention: <c>MaxPerThread</c> on every append, <c>MaxAgeDays</c> in the background.
/// A stored row that is not a message is skipped (and logged), never a reason to fail a login.
/// Durability is Redis's: with AOF (<c>appendonly yes</c>) history survives a Redis restart.
/// </summary>
public sealed class RedisChatHistory : IChatHistory, IHostedService, IDisposable
{
    private const int PruneBatchThreads = 256;
    private const int PruneBudget = 5_000;
    private const int IndexBatchThreads = 16;

    private readonly RedisConnection redis;
    private readonly HistoryOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<RedisChatHistory> logger;
    private readonly FailureThrottle failures;
    private readonly RedisRowReader reader;
    private readonly RedisReadMarkers readMarkers;
    private readonly RedisHistoryEdits edits;
    private readonly RedisKey idKey;
    private readonly RedisKey threadsKey;
    private readonly RedisKey idsKey;
    private readonly RedisKey idsBuiltKey;
    private readonly RedisKey epochKey;
    private readonly RedisKey prunedKey;
    private readonly string dedupePrefix;
    private readonly string directPrefix;
    private readonly string threadPrefix;
    private readonly CancellationTokenSource stopping = new();
    private Task? pruner;

    public RedisChatHistory(RedisConnection redis, IOptions<HistoryOptions> options, TimeProvider time, ILogger<RedisChatHistory> logger)
    {
        this.redis = redis;
        settings = options.Value;
        this.time = time;
        this.logger = logger;
        failures = new FailureThrottle(time, TimeSpan.FromSeconds(10));
        reader = new RedisRowReader(time, logger);
        readMarkers = new RedisReadMarkers(redis);
        edits = new RedisHistoryEdits(redis, time);
        idKey = redis.KeyPrefix + "history:id";
        threadsKey = redis.KeyPrefix + "history:threads";
        idsKey = redis.KeyPrefix + "history:ids";
        idsBuiltKey = redis.KeyPrefix + "history:ids:built";
        epochKey = redis.KeyPrefix + "history:epoch";
        prunedKey = redis.KeyPrefix + "history:pruned";
        dedupePrefix = redis.KeyPrefix + "history:sent:";
        directPrefix = redis.KeyPrefix + "history:dm:";
        threadPrefix = redis.KeyPrefix + "history:thread:";
    }

    /// <summary>Completes once the id index holds the messages stored before it existed (see <see cref="BuildIndexAsync"/>).</summary>
    internal Task Indexed { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Indexed = BuildIndexInBackgroundAsync(stopping.Token);
        if (settings.MaxAgeDays > 0)
        {
            pruner = PruneLoopAsync(stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await Indexed.WaitAsync(cancellationToken);
        if (pruner is not null)
        {
            await pruner.WaitAsync(cancellationToken);
        }
    }

    public void Dispose() => stopping.Dispose();

    public async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var ts = UtcTimestampConverter.Truncate(time.GetUtcNow());
        var body = RedisHistoryRows.BodyAfterId(post.Thread, post.Message, post.From, ts);
        var window = post.Ref is null ? 0 : (long)TimeSpan.FromMinutes(settings.DedupeMinutes).TotalMilliseconds;
        try
        {
            var database = await DatabaseAsync();
            var direct = DirectThread.TryParse(post.Thread, out var first, out var second);
            var result = (long[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.Append,
                [idKey, threadsKey, threadPrefix + post.Thread, idsKey, epochKey, prunedKey, post.Ref is null ? dedupePrefix : dedupePrefix + RedisHistoryRows.PostKey(post),
                    direct ? directPrefix + first : idKey, direct ? directPrefix + second : idKey],
                [body, post.Thread, settings.MaxPerThread, Guid.NewGuid().ToString("N"), ts.ToUnixTimeMilliseconds(), window, direct ? 1 : 0]))!;
            return result[1] == 1
                ? new ChatPosted(new ChatMessage(post.Thread, post.Message, post.From, result[0], DateTimeOffset.FromUnixTimeMilliseconds(result[2])), Resent: true)
                : new ChatPosted(new ChatMessage(post.Thread, post.Message, post.From, result[0], ts), Resent: false);
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            if (failures.ShouldLog(out var suppressed))
            {
                Log.RedisAppendFailed(logger, suppressed, ex);
            }

            throw new ChatHistoryException("the Redis history did not store the message", ex);
        }
    }

    public async ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
    {
        var since = sinceId ?? 0;
        var low = sinceId is not null ? "(" + since.ToString(CultureInfo.InvariantCulture) : "-inf";
        var result = await ReadAsync(RedisHistoryScripts.Replay, [threadsKey, idKey, epochKey, prunedKey, DirectSet(viewer)], [threadPrefix, low, perThread, total]);
        // { high-water id, complete, epoch, pruned-through, rows... }: all read in one script. No epoch yet means nothing
        // was stored since Redis was new or flushed: this replay is the start of the epoch made now (or by an append since).
        var epoch = result[2].IsNull ? await EnsureEpochAsync() : (string)result[2]!;
        var complete = (long)result[1] == 1 && (long)result[3] <= since;
        return new ChatReplay(reader.Messages(result, first: 4), (long)result[0], epoch, complete);
    }

    public ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken) => readMarkers.SetAsync(user, marker);

    public ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken) => readMarkers.GetAsync(user);

    public ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken) => edits.EditAsync(edit);

    public ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken) => edits.DeleteAsync(removal);

    public async ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        if (thread is null)
        {
            var high = beforeId is { } before ? "(" + before.ToString(CultureInfo.InvariantCulture) : "+inf";
            return reader.Messages(await ReadAsync(RedisHistoryScripts.PageAll, [idsKey, DirectSet(viewer)], [threadPrefix, high, limit]), first: 0);
        }

        if (!DirectThread.CanRead(thread, viewer))
        {
            return [];
        }

        RedisValue[] rows;
        try
        {
            var database = await DatabaseAsync();
            rows = await database.SortedSetRangeByScoreAsync(
                threadPrefix + thread, double.NegativeInfinity, beforeId ?? double.PositiveInfinity, Exclude.Stop, Order.Descending, 0, limit);
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history cannot be read", ex);
        }

        Array.Reverse(rows);
        return reader.Messages(rows, first: 0);
    }

    /// <summary>The set of <paramref name="viewer"/>'s direct-message threads; for no viewer, a key that holds none.</summary>
    private RedisKey DirectSet(string? viewer) => viewer is null ? directPrefix : directPrefix + viewer;

    public async ValueTask CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.PingAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("Redis does not answer", ex);
        }
    }

    /// <summary>Removes messages older than <c>MaxAgeDays</c> from every thread; returns how many.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = RedisHistoryRows.Timestamp(time.GetUtcNow().AddDays(-settings.MaxAgeDays));
        var database = await DatabaseAsync();
        long removed = 0;
        var first = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = (long[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.PruneOlderThan, [threadsKey, idsKey, prunedKey], [threadPrefix, cutoff, first, PruneBatchThreads, PruneBudget]))!;
            removed += result[0];
            if (result[3] == 0)
            {
                if (result[1] < PruneBatchThreads)
                {
                    break;
                }

                // The threads dropped from the index shifted the later ones down.
                first += result[1] - result[2];
            }
        }

        return removed;
    }

    /// <summary>
    /// Adds the messages stored before the id index existed (by an earlier Chatter) to it, a few threads per script, until
    /// Redis records it as built; every node runs it at start and all but the first find it done at once.
    /// </summary>
    internal async Task BuildIndexAsync(CancellationToken cancellationToken)
    {
        var database = await DatabaseAsync();
        var cursor = "-inf";
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.IndexThreads, [threadsKey, idsKey, idsBuiltKey], [threadPrefix, cursor, IndexBatchThreads]))!;
            if ((long)result[0] == 1)
            {
                return;
            }

            cursor = (string)result[1]!;
        }
    }

    private async Task BuildIndexInBackgroundAsync(CancellationToken cancellationToken)
    {
        using var retry = new PeriodicTimer(TimeSpan.FromSeconds(settings.PruneIntervalSeconds), time);
        try
        {
            do
            {
                try
                {
                    await BuildIndexAsync(cancellationToken);
                    return;
                }
                catch (Exception ex) when (RedisConnection.IsFailure(ex))
                {
                    // Redis not reachable yet: pages across threads may miss older messages until the next try.
                    Log.RedisIndexFailed(logger, ex);
                }
            }
            while (await retry.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping: normal; the next start goes on (the index is idempotent).
        }
    }

    private async Task<RedisResult[]> ReadAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            var database = await DatabaseAsync();
            return (RedisResult[])(await database.ScriptEvaluateAsync(script, keys, values))!;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history cannot be read", ex);
        }
    }

    private async Task PruneLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.PruneIntervalSeconds), time);
        try
        {
            do
            {
                try
                {
                    var removed = await PruneAsync(cancellationToken);
                    if (removed > 0)
                    {
                        Log.Pruned(logger, removed);
                    }
                }
                catch (Exception ex) when (RedisConnection.IsFailure(ex))
                {
                    Log.PruneFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping: normal.
        }
    }

    /// <summary>The store's epoch, made now when there is none yet (the append script keeps whichever came first).</summary>
    private async Task<string> EnsureEpochAsync()
    {
        try
        {
            var database = await DatabaseAsync();
            await database.StringSetAsync(epochKey, Guid.NewGuid().ToString("N"), when: When.NotExists);
            return (string)(await database.StringGetAsync(epochKey))!;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history cannot be read", ex);
        }
    }

    private async Task<IDatabase> DatabaseAsync() => (await redis.GetAsync()).GetDatabase();
}
