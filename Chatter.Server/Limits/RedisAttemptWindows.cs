using System.Globalization;
using Chatter.Server.Backplane;
using StackExchange.Redis;

namespace Chatter.Server.Limits;

/// <summary>
/// <see cref="IAttemptWindows"/> shared by every node: one sorted set per window under the key prefix
/// (<c>throttle:KEY</c>, attempt → its time in ms), reserved and released by one script each. While Redis does not
/// answer, attempts are counted in this node's memory instead (<see cref="RedisFallback"/>): the limits still hold,
/// per node, and logins go on.
/// </summary>
internal sealed class RedisAttemptWindows(RedisConnection redis, MemoryAttemptWindows local, RedisFallback fallback, TimeProvider time) : IAttemptWindows
{
    // KEYS: the windows. ARGV: now (ms), window (ms), the attempt, then each window's limit.
    // Returns -1 when reserved in every window, else the ms until the fullest has room.
    private const string Reserve = """
        local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
        local wait = -1
        for i, key in ipairs(KEYS) do
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then
            local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
            wait = math.max(wait, tonumber(oldest[2]) + window - now)
          end
        end
        if wait >= 0 then return wait end
        for _, key in ipairs(KEYS) do
          redis.call('ZADD', key, now, ARGV[3])
          redis.call('PEXPIRE', key, window)
        end
        return -1
        """;

    private const string Release = """
        for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end
        return 0
        """;

    /// <summary>A reservation made in memory during an outage carries this mark, so that it is released there too.</summary>
    private const string LocalMark = "local:";

    public async ValueTask<TimeSpan?> TryReserveAsync(IReadOnlyList<AttemptWindow> windows, string attempt)
    {
        var values = new RedisValue[3 + windows.Count];
        values[0] = time.GetUtcNow().ToUnixTimeMilliseconds();
        values[1] = (long)MemoryAttemptWindows.Window.TotalMilliseconds;
        values[2] = attempt;
        for (var i = 0; i < windows.Count; i++)
        {
            values[3 + i] = windows[i].Limit;
        }

        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var wait = (long)await database.ScriptEvaluateAsync(Reserve, Keys(windows), values);
            fallback.Answered();
            return wait < 0 ? null : TimeSpan.FromMilliseconds(Math.Max(wait, 1));
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            fallback.Failed(ex);
            return await local.TryReserveAsync(windows, LocalMark + attempt);
        }
    }

    public async ValueTask ReleaseAsync(IReadOnlyList<AttemptWindow> windows, string attempt)
    {
        await local.ReleaseAsync(windows, LocalMark + attempt);
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            await database.ScriptEvaluateAsync(Release, Keys(windows), [attempt]);
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            // Not taken back: the attempt counts as a failure until its window slides (it errs towards the limit).
            fallback.Failed(ex);
        }
    }

    private RedisKey[] Keys(IReadOnlyList<AttemptWindow> windows)
    {
        var keys = new RedisKey[windows.Count];
        for (var i = 0; i < windows.Count; i++)
        {
            keys[i] = string.Create(CultureInfo.InvariantCulture, $"{redis.KeyPrefix}throttle:{windows[i].Key}");
        }

        return keys;
    }
}
