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
/// existed (<see cref="IndexThreads"/>); <c>history:dm:USER</c> a set of the direct-message threads (their keys, see
/// <see cref="DirectThread"/>) a user is one of the two of: a reader sees a thread named like a direct-message key
/// only when it is in the reader's set.
/// </para>
/// <para>
/// The <c>#!lua</c> line (Redis 7) declares the scripts as writers, so Redis refuses one at its start, before any write,
/// when it is out of memory: an append never stops half way.
/// </para>
/// </summary>
internal static class RedisHistoryScripts
{
    /// <summary>
    /// KEYS: id counter, thread index, the thread's messages, the id index, the epoch, the pruned-through id, the post's
    /// dedupe key, and for a direct message the two users' direct-thread sets (else the id counter twice, untouched). ARGV: the message JSON after its id (<c>"ts":...}</c>), the thread name, the most messages a thread
    /// keeps, a new epoch (kept only when there is none), the timestamp in ms, the dedupe window in ms (0: no ref, or
    /// dedupe off), 1 for a direct message. Returns { id, 0 } for a new message, { id, ts in ms, 1 } for a resend of a stored one (nothing
    /// written). The epoch is set with the first message after a flush, so a flushed Redis is a new epoch.
    /// </summary>
    public const string Append = """
        #!lua
        local window = tonumber(ARGV[6])
        if window > 0 then
          local prior = redis.call('GET', KEYS[7])
          if prior then
            local id, ts = string.match(prior, '^(%d+) (%d+)$')
            if id then return { tonumber(id), 1, tonumber(ts) } end
          end
        end
        redis.call('SET', KEYS[5], ARGV[4], 'NX')
        if ARGV[7] == '1' then
          redis.call('SADD', KEYS[8], ARGV[2])
          redis.call('SADD', KEYS[9], ARGV[2])
        end
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
          local newestDropped = tonumber(old[#old])
          if newestDropped > tonumber(redis.call('GET', KEYS[6]) or '0') then
            redis.call('SET', KEYS[6], string.format('%d', newestDropped))
          end
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
        end
        if window > 0 then
          redis.call('SET', KEYS[7], string.format('%d', id) .. ' ' .. ARGV[5], 'PX', window)
        end
        return { id, 0 }
        """;

    /// <summary>
    /// The login replay: of each thread the newest <c>perThread</c> with an id above <c>low</c>, and of those the newest
    /// <c>total</c>, oldest first, after the id counter at that moment (the high-water id: appends INCR and ZADD in one
    /// script, so every id up to it is stored). Threads are visited newest first, and the visit stops at the first thread
    /// whose newest message is older than all those already kept, so the cost follows the threads that contribute (at
    /// most <c>total</c>), not the size of the history.
    /// Whether it left out a message above <c>low</c> shows when a thread holds more than <c>perThread</c> of them, when
    /// more than <c>total</c> were gathered, or when the visit stopped at a thread that still had one.
    /// A thread named like a direct-message key that is not in the reader's set is passed over, as if it did not exist.
    /// KEYS: thread index, id counter, epoch, pruned-through id, the reader's direct-thread set. ARGV: thread key prefix,
    /// low (<c>(17</c> or <c>-inf</c>), perThread, total. Returns { high-water id, 1 when nothing was left out by the bounds, the epoch (false when none
    /// yet), the pruned-through id, message JSON... }.
    /// </summary>
    public const string Replay = """
        #!lua flags=no-writes
        local prefix, low = ARGV[1], ARGV[2]
        local perThread, total = tonumber(ARGV[3]), tonumber(ARGV[4])
        local highWater = tonumber(redis.call('GET', KEYS[2]) or '0')
        local epoch = redis.call('GET', KEYS[3])
        local pruned = tonumber(redis.call('GET', KEYS[4]) or '0')
        if perThread <= 0 or total <= 0 then
          local none = 1
          if #redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', low, 'LIMIT', 0, 1) > 0 then none = 0 end
          return { highWater, none, epoch, pruned }
        end
        local complete = 1
        local kept, threshold, offset, done = {}, nil, 0, false
        local newestFirst = function(a, b) return a[1] > b[1] end
        while not done do
          local threads = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', low, 'WITHSCORES', 'LIMIT', offset, 256)
          if #threads == 0 then break end
          for i = 1, #threads, 2 do
            if string.match(threads[i], '^@%d+:') and redis.call('SISMEMBER', KEYS[5], threads[i]) == 0 then
              -- Another pair's direct messages: not this reader's to see.
            elseif threshold and tonumber(threads[i + 1]) < threshold then
              -- This thread still has a message above low: it is left out.
              complete = 0
              done = true
              break
            else
            -- Once `total` are kept, only a newer message can still take a place.
            local floor = low
            if threshold then floor = '(' .. threshold end
            local rows = redis.call('ZREVRANGEBYSCORE', prefix .. threads[i], '+inf', floor, 'WITHSCORES', 'LIMIT', 0, perThread + 1)
            if #rows > 2 * perThread then
              complete = 0
              rows[#rows] = nil
              rows[#rows] = nil
            end
            for j = 1, #rows, 2 do
              kept[#kept + 1] = { tonumber(rows[j + 1]), rows[j] }
            end
            -- Compact now and then (not after every thread): keep the newest `total`, the oldest of them is the threshold.
            if (threshold == nil and #kept >= total) or #kept >= 2 * total then
              if #kept > total then complete = 0 end
              table.sort(kept, newestFirst)
              for k = #kept, total + 1, -1 do kept[k] = nil end
              threshold = kept[#kept][1]
            end
            end
          end
          offset = offset + 256
        end
        table.sort(kept, newestFirst)
        if #kept > total then complete = 0 end
        local result = { highWater, complete, epoch, pruned }
        for k = math.min(#kept, total), 1, -1 do
          result[#result + 1] = kept[k][2]
        end
        return result
        """;

    /// <summary>
    /// A page across threads: the newest <c>limit</c> ids below <c>high</c> from the id index that the reader may read
    /// (a thread named like a direct-message key only when it is in the reader's set), then each message from its
    /// thread, oldest first: index reads plus one read per message, however many threads there are. An index entry whose
    /// message is gone, or that is not <c>ID:THREAD</c>, is skipped. Other pairs' direct messages are skipped too, so the
    /// walk reads on until <c>limit</c> are found or the index ends.
    /// KEYS: id index, the reader's direct-thread set. ARGV: thread key prefix, high (<c>(90</c> or <c>+inf</c>), limit.
    /// </summary>
    public const string PageAll = """
        #!lua flags=no-writes
        local limit = tonumber(ARGV[3])
        local found, offset = {}, 0
        while #found < limit do
          local entries = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], '-inf', 'LIMIT', offset, limit)
          if #entries == 0 then break end
          offset = offset + #entries
          for i = 1, #entries do
            local id, thread = string.match(entries[i], '^(%d+):(.*)$')
            if id and (not string.match(thread, '^@%d+:') or redis.call('SISMEMBER', KEYS[2], thread) == 1) then
              local rows = redis.call('ZRANGEBYSCORE', ARGV[1] .. thread, id, id)
              if rows[1] then found[#found + 1] = rows[1] end
              if #found >= limit then break end
            end
          end
        end
        local result = {}
        for i = #found, 1, -1 do result[#result + 1] = found[i] end
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
    /// most messages to remove in this call. KEYS[3], the pruned-through id, is raised to the newest id removed.
    /// Returns { removed, threads visited, threads dropped, 1 when the removal limit was reached }.
    /// </summary>
    public const string PruneOlderThan = """
        #!lua
        local raise = function(id)
          if tonumber(id) > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], id) end
        end
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
                raise(id)
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

    /// <summary>
    /// The first part of <see cref="Edit"/> and <see cref="Delete"/>: finds the message ARGV[2] (its thread from the id
    /// index entry <c>ID:THREAD</c>, KEYS[1]; its row in the thread's set, ARGV[1] the thread key prefix) and its author.
    /// Returns { 0 } when there is none (or its row is not a message); else leaves <c>entry</c>, <c>thread</c>,
    /// <c>key</c>, <c>row</c> and <c>author</c> set.
    /// </summary>
    private const string FindMessage = """
        local entry = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])[1]
        if not entry then return { 0 } end
        local thread = string.match(entry, '^%d+:(.*)$')
        if not thread then return { 0 } end
        local key = ARGV[1] .. thread
        local row = redis.call('ZRANGEBYSCORE', key, ARGV[2], ARGV[2])[1]
        if not row then return { 0 } end
        local ok, decoded = pcall(cjson.decode, row)
        if not ok or type(decoded) ~= 'table' or type(decoded['from']) ~= 'string' then return { 0 } end
        local author = decoded['from']

        """;

    /// <summary>
    /// An edit, the author checked in the same step: rewrites the message's row with the new text and its edited time,
    /// keeping its id, ts and thread first (as retention reads them). KEYS: id index. ARGV: thread key prefix, id, user,
    /// the row's JSON after the thread (<c>,"message":...,"from":...,"editedTs":...}</c>). Returns { 0 } not found,
    /// { 2 } not the author's, { 1, thread, ts } done.
    /// </summary>
    public const string Edit = "#!lua\n" + FindMessage + """
        if author ~= ARGV[3] then return { 2 } end
        local ts = string.match(row, '^{"id":%d+,"ts":"([^"]+)"')
        if not ts then return { 0 } end
        redis.call('ZREMRANGEBYSCORE', key, ARGV[2], ARGV[2])
        redis.call('ZADD', key, ARGV[2], '{"id":' .. ARGV[2] .. ',"ts":"' .. ts .. '","thread":' .. cjson.encode(thread) .. ARGV[4])
        return { 1, thread, ts }
        """;

    /// <summary>
    /// A delete, the author (or admin) checked in the same step: removes the row and its id index entry, and sets the
    /// thread's score in the thread index to its newest id left (drops the thread when none is left), so the replay's
    /// walk stays exact. KEYS: id index, thread index. ARGV: thread key prefix, id, user, 1 when the user is an admin.
    /// Returns { 0 } not found, { 2, thread, author } not theirs, { 1, thread, author } done.
    /// </summary>
    public const string Delete = "#!lua\n" + FindMessage + """
        if author ~= ARGV[3] and ARGV[4] ~= '1' then return { 2, thread, author } end
        redis.call('ZREMRANGEBYSCORE', key, ARGV[2], ARGV[2])
        redis.call('ZREM', KEYS[1], entry)
        local newest = redis.call('ZREVRANGE', key, 0, 0, 'WITHSCORES')
        if #newest == 0 then
          redis.call('ZREM', KEYS[2], thread)
        else
          redis.call('ZADD', KEYS[2], newest[2], thread)
        end
        return { 1, thread, author }
        """;
}
