namespace Chatter.Server.History;

/// <summary>
/// The Lua scripts of <see cref="RedisChatHistory"/>. Each runs atomically in Redis, so an append is one step (id,
/// thread index and message, or nothing) and a replay reads one consistent snapshot.
/// <para>
/// Layout, under the key prefix <c>{chatter}:</c>: <c>history:id</c> the id counter (INCR, shared by every node);
/// <c>history:threads</c> a sorted set of thread names scored by their newest id; <c>history:thread:NAME</c> a sorted set
/// per thread of message JSON (<c>{"id":17,"ts":"...","thread":...}</c>) scored by id.
/// </para>
/// <para>
/// The <c>#!lua</c> line (Redis 7) declares the scripts as writers, so Redis refuses one at its start, before any write,
/// when it is out of memory: an append never stops half way.
/// </para>
/// </summary>
internal static class RedisHistoryScripts
{
    /// <summary>
    /// KEYS: id counter, thread index, the thread's messages. ARGV: the message JSON after its id (<c>"ts":...}</c>), the
    /// thread name, the most messages a thread keeps. Returns the new id.
    /// </summary>
    public const string Append = """
        #!lua
        local id = redis.call('INCR', KEYS[1])
        redis.call('ZADD', KEYS[2], id, ARGV[2])
        redis.call('ZADD', KEYS[3], id, '{"id":' .. id .. ',' .. ARGV[1])
        local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
        if excess > 0 then
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
        end
        return id
        """;

    /// <summary>
    /// The newest messages across threads, oldest first: of each thread the newest <c>perThread</c> with an id in
    /// (<c>low</c>, <c>high</c>), and of those the newest <c>total</c>. Threads are visited newest first, and the visit
    /// stops at the first thread that cannot hold a message newer than those already kept, so the cost follows the
    /// threads that contribute, not the size of the history.
    /// KEYS: thread index. ARGV: thread key prefix, low (<c>(17</c> or <c>-inf</c>), high (<c>(90</c> or <c>+inf</c>),
    /// high as a number or empty, perThread, total.
    /// </summary>
    public const string Newest = """
        #!lua flags=no-writes
        local prefix, low, high = ARGV[1], ARGV[2], ARGV[3]
        local highest = tonumber(ARGV[4])
        local perThread, total = tonumber(ARGV[5]), tonumber(ARGV[6])
        local kept, threshold, offset, done = {}, nil, 0, false
        local newestFirst = function(a, b) return a[1] > b[1] end
        while not done do
          local threads = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', low, 'WITHSCORES', 'LIMIT', offset, 256)
          if #threads == 0 then break end
          for i = 1, #threads, 2 do
            local best = tonumber(threads[i + 1])
            if highest and best > highest - 1 then best = highest - 1 end
            if threshold and best < threshold then
              done = true
              break
            end
            -- Once `total` are kept, only a newer message can still take a place.
            local floor = low
            if threshold then floor = '(' .. threshold end
            local rows = redis.call('ZREVRANGEBYSCORE', prefix .. threads[i], high, floor, 'WITHSCORES', 'LIMIT', 0, perThread)
            for j = 1, #rows, 2 do
              kept[#kept + 1] = { tonumber(rows[j + 1]), rows[j] }
            end
            -- Compact now and then (not after every thread): keep the newest `total`, the oldest of them is the threshold.
            if (threshold == nil and #kept >= total) or #kept >= 2 * total then
              table.sort(kept, newestFirst)
              for k = #kept, total + 1, -1 do kept[k] = nil end
              threshold = kept[#kept][1]
            end
          end
          offset = offset + 256
        end
        table.sort(kept, newestFirst)
        local result = {}
        for k = math.min(#kept, total), 1, -1 do
          result[#result + 1] = kept[k][2]
        end
        return result
        """;

    /// <summary>
    /// Removes messages older than a time from a batch of threads (oldest first in each, stopping at the first newer one),
    /// and drops threads left empty from the index. KEYS: thread index. ARGV: thread key prefix, cutoff timestamp (the wire
    /// format, which sorts as text), first rank of the batch, batch size, most messages to remove in this call.
    /// Returns { removed, threads visited, threads dropped, 1 when the removal limit was reached }.
    /// </summary>
    public const string PruneOlderThan = """
        #!lua
        local prefix, cutoff = ARGV[1], ARGV[2]
        local first, count, budget = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local threads = redis.call('ZRANGE', KEYS[1], first, first + count - 1)
        local removed, dropped = 0, 0
        for _, name in ipairs(threads) do
          local key = prefix .. name
          while removed < budget do
            local oldest = redis.call('ZRANGE', key, 0, 99)
            local n = 0
            for _, member in ipairs(oldest) do
              local ts = string.match(member, '^{"id":%d+,"ts":"([^"]+)"')
              if ts and ts < cutoff and removed + n < budget then n = n + 1 else break end
            end
            if n > 0 then
              redis.call('ZREMRANGEBYRANK', key, 0, n - 1)
              removed = removed + n
            end
            if n < #oldest or #oldest == 0 then break end
          end
          if redis.call('EXISTS', key) == 0 then
            redis.call('ZREM', KEYS[1], name)
            dropped = dropped + 1
          end
          if removed >= budget then
            return { removed, #threads, dropped, 1 }
          end
        end
        return { removed, #threads, dropped, 0 }
        """;
}
