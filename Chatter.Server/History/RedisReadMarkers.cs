using Chatter.Protocol;
using Chatter.Server.Backplane;
using StackExchange.Redis;

namespace Chatter.Server.History;

/// <summary>
/// Read markers in Redis: one hash per user (<c>history:read:USER</c>, thread → id), moved only forward by one script, at
/// most <see cref="IChatHistory.MaxReadMarkersPerUser"/> threads per user.
/// </summary>
internal sealed class RedisReadMarkers(RedisConnection redis)
{
    /// <summary>KEYS: the user's hash. ARGV: thread, id, the most threads. Returns 1 moved, 0 unchanged, 2 too many.</summary>
    private const string Set = """
        #!lua
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          if tonumber(ARGV[2]) > tonumber(current) then
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
          end
          return 0
        end
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 2 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    private readonly string prefix = redis.KeyPrefix + "history:read:";

    public async ValueTask<ReadMarkerResult> SetAsync(string user, ReadMarker marker)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var result = (long)await database.ScriptEvaluateAsync(Set, [prefix + user], [marker.Thread, marker.Id, IChatHistory.MaxReadMarkersPerUser]);
            return result switch { 1 => ReadMarkerResult.Moved, 2 => ReadMarkerResult.TooMany, _ => ReadMarkerResult.Unchanged };
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history did not store the read marker", ex);
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> GetAsync(string user)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var entries = await database.HashGetAllAsync(prefix + user);
            var markers = new Dictionary<string, long>(entries.Length, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Value.TryParse(out long id))
                {
                    markers[(string)entry.Name!] = id;
                }
            }

            return markers;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history cannot be read", ex);
        }
    }
}
