namespace Chatter.Server.History;

/// <summary>
/// The Lua scripts of <see cref="RedisChatHistory"/>. Each runs atomically in Redis, so an append is one step (id,
/// thread index and message, or nothing) and a replay reads one consistent snapshot.
/// <para>
/// Layout, under the key prefix <c>{chatter}:</c>: <c>history:id</c> the id counter (INCR, shared by every node);
/// <c>history:threads</c> a sorted set of thread names scored by their newest id; <c>history:thread:NAME</c> a sorted set
/// per thread of message JSON (<c>{"id":17,"ts":"...","thread":...}</c>) scored by id; <c>history:ids</c> a sorted set
/// of every message as <c>ID:THREAD</c> scored by id, so that a page across threads reads the newest ids at once instead
/// of walking threads; <c>history:ids:built</c> set once the index holds the messages stored before it
/// existed (<see cref="IndexThreads"/>).
/// </para>
/// <para>
/// The <c>#!lua</c> line (Redis 7) declares the scripts as writers, so Redis refuses one at its start, before any write,
/// when it is out of memory: an append never stops half way.
/// </para>
/// </summary>
internal static class RedisHistoryScripts
{
    /// <summary>
    /// KEYS: id counter, thread index, the thread's messages, the id index. ARGV: the message JSON after its id
    /// (<c>"ts":...}</c>), the thread name, the most messages a thread keeps. Returns the new id.
    /// </summary>
    public const string Append = """
        #!lua
        local id = redis.call('INCR', KEYS[1])
        redis.call('ZADD', KEYS[2], id, ARGV[2])
        redis.call('ZADD', KEYS[3], id, '{"id":' .. id .. ',' .. ARGV[1])
        redis.call('ZADD', KEYS[4], id, string.format('%d', id) .. ':' .. ARGV[2])
        local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
        if excess > 0 then
          local old = redis.call('ZRANGE', KEYS[3], 0, excess - 1, 'WITHSCORES')
          for i = 2, #old, 2 do
            redis.call('ZREM', KEYS[4], string.format('%d', tonumber(old[i])) .. ':' .. ARGV[2])
          end
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
        end
        return id
        """;

    /// <summary>
    /// The login replay: of each thread the newest <c>perThread</c> with an id above <c>low</c>, and of those the newest
    /// <c>total</c>, oldest first, after the id counter at that moment (the high-water id: appends INCR and ZADD in one
    /// script, so every id up to it is stored). Threads are visited newest first, and the visit stops at the first thread
    /// whose newest message is older than all those already kept, so the cost follows the threads that contribute (at
    /// most <c>total</c>), not the size of the history.
    /// KEYS: thread index, id counter. ARGV: thread key prefix, low (<c>(17</c> or <c>-inf</c>), perThread, total.
    /// Returns { high-water id, message JSON... }.
    /// </summary>
    public const string Replay = """
        #!lua flags=no-writes
        local prefix, low = ARGV[1], ARGV[2]
        local perThread, total = tonumber(ARGV[3]), tonumber(ARGV[4])
        local highWater = tonumber(redis.call('GET', KEYS[2]) or '0')
        if perThread <= 0 or total <= 0 then return { highWater } end
        local kept, threshold, offset, done = {}, nil, 0, false
        local newestFirst = function(a, b) return a[1] > b[1] end
        while not done do
          local threads = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', low, 'WITHSCORES', 'LIMIT', offset, 256)
          if #threads == 0 then break end
          for i = 1, #threads, 2 do
            if threshold and tonumber(threads[i + 1]) < threshold then
              done = true
              break
            end
            -- Once `total` are kept, only a newer message can still take a place.
            local floor = low
            if threshold then floor = '(' .. threshold end
            local rows = redis.call('ZREVRANGEBYSCORE', prefix .. threads[i], '+inf', floor, 'WITHSCORES', 'LIMIT', 0, perThread)
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
        local result = { highWater }
        for k = math.min(#kept, total), 1, -1 do
          result[#result + 1] = kept[k][2]
        end
        return result
        """;

    /// <summary>
    /// A page across threads: the newest <c>limit</c> ids below <c>high</c> from the id index, then each message from its
    /// thread, oldest first: one index read plus one read per message, however many threads there are. An index entry
    /// whose message is gone, or that is not <c>ID:THREAD</c>, is skipped.
    /// KEYS: id index. ARGV: thread key prefix, high (<c>(90</c> or <c>+inf</c>), limit.
    /// </summary>
    public const string PageAll = """
        #!lua flags=no-writes
        local entries = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], '-inf', 'LIMIT', 0, tonumber(ARGV[3]))
        local result = {}
        for i = #entries, 1, -1 do
          local id, thread = string.match(entries[i], '^(%d+):(.*)$')
          if id then
            local rows = redis.call('ZRANGEBYSCORE', ARGV[1] .. thread, id, id)
            if rows[1] then result[#result + 1] = rows[1] end
          end
        end
        return result
        """;

    /// <summary>
    /// Adds to the id index the messages stored before it existed, a batch of threads per call, oldest thread (by its
    /// newest id) first; a thread that gets a new message moves past the cursor and is visited again later, so none is
    /// missed. Sets the built marker when done; does nothing once it is set.
    /// KEYS: thread index, id index, built marker. ARGV: thread key prefix, cursor (<c>-inf</c>, then the returned one),
    /// threads per call. Returns { 1 when done, the next cursor }.
    /// </summary>
    public const string IndexThreads = """
        #!lua
        if redis.call('EXISTS', KEYS[3]) == 1 then return { 1, '' } end
        local count = tonumber(ARGV[3])
        local threads = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, count)
        for i = 1, #threads, 2 do
          local name = threads[i]
          local rows = redis.call('ZRANGE', ARGV[1] .. name, 0, -1, 'WITHSCORES')
          for j = 2, #rows, 2 do
            redis.call('ZADD', KEYS[2], rows[j], string.format('%d', tonumber(rows[j])) .. ':' .. name)
          end
        end
        if #threads < 2 * count then
          redis.call('SET', KEYS[3], '1')
          return { 1, '' }
        end
        return { 0, '(' .. threads[#threads] }
        """;

    /// <summary>
    /// Removes messages older than a time from a batch of threads (oldest first in each, stopping at the first newer one),
    /// with their id index entries, and drops threads left empty from the index. KEYS: thread index, id index. ARGV:
    /// thread key prefix, cutoff timestamp (the wire format, which sorts as text), first rank of the batch, batch size,
    /// most messages to remove in this call.
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
              local id, ts = string.match(member, '^{"id":(%d+),"ts":"([^"]+)"')
              if ts and ts < cutoff and removed + n < budget then
                n = n + 1
                redis.call('ZREM', KEYS[2], id .. ':' .. name)
              else
                break
              end
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
