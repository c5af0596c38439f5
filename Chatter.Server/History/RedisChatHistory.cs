using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chatter.Protocol;
using Chatter.Server.Backplane;
using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>
/// History in Redis, shared by every node of a deployment (<c>Chatter:History:Store=redis</c>). Ids come from one
/// counter (INCR), so they increase across nodes; an append is one Lua script (id, thread index and message together,
/// or nothing), and a replay or page is one script too, so it reads a consistent snapshot. The layout is in
/// <see cref="RedisHistoryScripts"/>. Retention: <c>MaxPerThread</c> on every append, <c>MaxAgeDays</c> in the background.
/// Durability is Redis's: with AOF (<c>appendonly yes</c>) history survives a Redis restart.
/// </summary>
public sealed class RedisChatHistory : IChatHistory, IHostedService, IDisposable
{
    private const int PruneBatchThreads = 256;
    private const int PruneBudget = 5_000;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly RedisConnection redis;
    private readonly HistoryOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<RedisChatHistory> logger;
    private readonly FailureThrottle failures;
    private readonly RedisKey idKey;
    private readonly RedisKey threadsKey;
    private readonly string threadPrefix;
    private readonly CancellationTokenSource stopping = new();
    private Task? pruner;

    public RedisChatHistory(RedisConnection redis, IOptions<ChatterOptions> options, TimeProvider time, ILogger<RedisChatHistory> logger)
    {
        this.redis = redis;
        settings = options.Value.History;
        this.time = time;
        this.logger = logger;
        failures = new FailureThrottle(time, TimeSpan.FromSeconds(10));
        idKey = redis.KeyPrefix + "history:id";
        threadsKey = redis.KeyPrefix + "history:threads";
        threadPrefix = redis.KeyPrefix + "history:thread:";
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.MaxAgeDays > 0)
        {
            pruner = PruneLoopAsync(stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (pruner is not null)
        {
            await pruner.WaitAsync(cancellationToken);
        }
    }

    public void Dispose() => stopping.Dispose();

    public async ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken)
    {
        var ts = UtcTimestampConverter.Truncate(time.GetUtcNow());
        var body = BodyAfterId(thread, message, from, ts);
        try
        {
            var database = await DatabaseAsync();
            var id = (long)await database.ScriptEvaluateAsync(
                RedisHistoryScripts.Append,
                [idKey, threadsKey, threadPrefix + thread],
                [body, thread, settings.MaxPerThread]);
            return new ChatMessage(thread, message, from, id, ts);
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

    public async ValueTask<ChatReplay> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken)
        => new(await NewestAsync(sinceId is { } since ? "(" + since.ToString(CultureInfo.InvariantCulture) : "-inf", null, perThread, total), 0);

    public async ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        if (thread is null)
        {
            return await NewestAsync("-inf", beforeId, limit, limit);
        }

        try
        {
            var database = await DatabaseAsync();
            var rows = await database.SortedSetRangeByScoreAsync(
                threadPrefix + thread, double.NegativeInfinity, beforeId ?? double.PositiveInfinity, Exclude.Stop, Order.Descending, 0, limit);
            var page = new ChatMessage[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                page[rows.Length - 1 - i] = Parse(rows[i]);
            }

            return page;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history cannot be read", ex);
        }
    }

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
        var cutoff = Timestamp(time.GetUtcNow().AddDays(-settings.MaxAgeDays));
        var database = await DatabaseAsync();
        long removed = 0;
        var first = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var result = (long[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.PruneOlderThan, [threadsKey], [threadPrefix, cutoff, first, PruneBatchThreads, PruneBudget]))!;
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

    private async ValueTask<IReadOnlyList<ChatMessage>> NewestAsync(string low, long? beforeId, int perThread, int total)
    {
        try
        {
            var database = await DatabaseAsync();
            var high = beforeId is { } before ? "(" + before.ToString(CultureInfo.InvariantCulture) : "+inf";
            var highest = beforeId?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
            var rows = (RedisValue[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.Newest, [threadsKey], [threadPrefix, low, high, highest, perThread, total]))!;
            var messages = new ChatMessage[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                messages[i] = Parse(rows[i]);
            }

            return messages;
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

    private async Task<IDatabase> DatabaseAsync() => (await redis.GetAsync()).GetDatabase();

    private static ChatMessage Parse(RedisValue row)
        => JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)row).Span, ProtocolJsonContext.Default.ChatMessage)
            ?? throw new ChatHistoryException("a stored message is not valid JSON");

    private static string Timestamp(DateTimeOffset value)
        => value.UtcDateTime.ToString(UtcTimestampConverter.Format, CultureInfo.InvariantCulture);

    /// <summary>The stored JSON from the field after the id on: <c>"ts":"...","thread":...,"message":...,"from":...}</c>.</summary>
    private static byte[] BodyAfterId(string thread, string message, string from, DateTimeOffset ts)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (message.Length * 3));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("ts"u8, Timestamp(ts));
            writer.WriteString("thread"u8, thread);
            writer.WriteString("message"u8, message);
            writer.WriteString("from"u8, from);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan[1..].ToArray();
    }
}
