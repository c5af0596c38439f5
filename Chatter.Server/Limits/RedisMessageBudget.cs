using Chatter.Server.Backplane;
using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chatter.Server.Limits;

/// <summary>
/// The message rate shared by every node: one token bucket per user in Redis (<c>rate:USER</c>, a hash of its tokens and
/// the time it was last filled, in ms), refilled continuously at <c>MessagesPerSecond</c> up to
/// <c>max(MessageBurst, MessagesPerSecond)</c>. One script call takes the tokens of a whole batch of frames and grants the
/// first ones it has room for, so a batch costs one round trip. While Redis does not answer (<see cref="RedisFallback"/>)
/// it says so and the caller counts on this node; it is then asked at most once per <see cref="RedisFallback.ProbeEvery"/>.
/// </summary>
/// <remarks>
/// Written here rather than taken from RedisRateLimiting: its token bucket grants all of a count or none (a batch over
/// the budget would need a second round trip to learn how many fit), reads the system clock rather than the
/// <see cref="TimeProvider"/>, names its keys outside the deployment's key prefix, and needs a newer StackExchange.Redis
/// than the SignalR backplane brings.
/// </remarks>
internal sealed class RedisMessageBudget(RedisConnection redis, RedisFallback fallback, IOptions<LimitsOptions> options, TimeProvider time)
{
    // KEYS: the bucket. ARGV: now (ms), tokens per second, bucket size, tokens wanted. Returns the tokens granted.
    private const string Take = """
        local now, rate, size, wanted = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens, at = tonumber(state[1]) or size, tonumber(state[2]) or now
        if now > at then
          tokens = math.min(size, tokens + (now - at) * rate / 1000)
          at = now
        end
        local granted = math.max(0, math.min(wanted, math.floor(tokens)))
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - granted), 'at', tostring(at))
        redis.call('PEXPIRE', KEYS[1], math.ceil(size * 1000 / rate) + 1000)
        return granted
        """;

    /// <summary>
    /// Takes up to <paramref name="count"/> tokens from <paramref name="user"/>'s bucket: how many it granted (the first
    /// ones of the batch), or null when Redis was not asked or did not answer (count on this node then).
    /// </summary>
    public async ValueTask<int?> TryTakeAsync(string user, int count)
    {
        if (!fallback.ShouldAsk())
        {
            return null;
        }

        var limits = options.Value;
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var granted = (long)await database.ScriptEvaluateAsync(
                Take,
                [redis.KeyPrefix + "rate:" + user],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), limits.MessagesPerSecond, Math.Max(limits.MessageBurst, limits.MessagesPerSecond), count]);
            fallback.Answered();
            return (int)granted;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            fallback.Failed(ex);
            return null;
        }
    }
}
