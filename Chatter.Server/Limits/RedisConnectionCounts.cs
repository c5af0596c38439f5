using System.Globalization;
using System.Threading.Channels;
using Chatter.Server.Backplane;
using StackExchange.Redis;

namespace Chatter.Server.Limits;

/// <summary>
/// Every node's connections per user, in Redis under the key prefix: <c>conns:count</c> (user → connections on every
/// node), <c>conns:node:ID</c> (user → connections on node ID) and <c>conns:nodes</c> (node ID → its last heartbeat), as
/// <c>Hubs.RedisPresence</c> keeps presence. A node that stops beating (killed) is swept by the others after
/// <see cref="DeadAfter"/>, so its counts disappear; a stopping node takes its own back.
/// </summary>
/// <remarks>
/// <see cref="ConnectionLimiter"/> keeps the truth of this node; Redis holds a copy. Whenever the copy may be wrong (a call
/// failed, a slot was taken while Redis was away, or Redis lost the node's entry), the next heartbeat writes this node's
/// counts again from the truth. Releases go through a queue that the heartbeat's owner drains, so a slot can be given
/// back from a synchronous <see cref="IDisposable.Dispose"/>.
/// </remarks>
internal sealed class RedisConnectionCounts : IHostedService, IDisposable
{
    /// <summary>How often a node says it is alive, sweeps dead ones and, when needed, writes its counts again.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>A node whose last heartbeat is older than this is taken for dead.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(20);

    // KEYS: count, node, nodes. ARGV: user, limit, node, now. 0 when the user is at the limit; else counted: 1, or 2
    // when this node's entry was missing (Redis lost it, or swept the node), so that its counts must be written again.
    private const string Acquire = """
        if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') >= tonumber(ARGV[2]) then return 0 end
        redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
        return 1 + redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
        """;

    // KEYS: count, node. ARGV: user. A user the node does not hold there changes nothing.
    private const string Release = """
        if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') <= 0 then return 0 end
        if redis.call('HINCRBY', KEYS[2], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
        if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 1
        """;

    // KEYS: count, nodes. ARGV: this node, now (ms), dead after (ms), node key prefix, mode, then user, count pairs.
    // Mode 'beat': sweep the dead; 'write': also replace this node's counts by the pairs; 'leave': remove this node.
    // Returns 1 when this node's entry was missing (Redis lost it, or swept the node): its counts must be written again.
    private const string Beat = """
        local function drop(node)
          local key = ARGV[4] .. node
          local users = redis.call('HGETALL', key)
          for j = 1, #users, 2 do
            if redis.call('HINCRBY', KEYS[1], users[j], -tonumber(users[j + 1])) <= 0 then redis.call('HDEL', KEYS[1], users[j]) end
          end
          redis.call('DEL', key)
          redis.call('HDEL', KEYS[2], node)
        end
        local nodes = redis.call('HGETALL', KEYS[2])
        for i = 1, #nodes, 2 do
          if nodes[i] ~= ARGV[1] and tonumber(ARGV[2]) - tonumber(nodes[i + 1]) > tonumber(ARGV[3]) then drop(nodes[i]) end
        end
        local missing = redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0
        if ARGV[5] ~= 'beat' then drop(ARGV[1]) end
        if ARGV[5] == 'leave' then return 0 end
        if ARGV[5] == 'write' then
          local key = ARGV[4] .. ARGV[1]
          for i = 6, #ARGV, 2 do
            redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1]))
            redis.call('HSET', key, ARGV[i], ARGV[i + 1])
          end
        end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        if missing and ARGV[5] == 'beat' then return 1 end
        return 0
        """;

    private readonly RedisConnection redis;
    private readonly RedisFallback fallback;
    private readonly TimeProvider time;
    private readonly string node = Guid.NewGuid().ToString("N");
    private readonly RedisKey countKey;
    private readonly RedisKey nodeKey;
    private readonly RedisKey nodesKey;
    private readonly string nodeKeyPrefix;
    // Bounded by the slots held: each slot is released once.
    private readonly Channel<string> releases = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private IConnectionMultiplexer? client;
    private Func<IReadOnlyDictionary<string, int>>? truth;
    private int stale;
    private long changes;
    private Task? beating;

    public RedisConnectionCounts(RedisConnection redis, RedisFallback fallback, TimeProvider time)
    {
        this.redis = redis;
        this.fallback = fallback;
        this.time = time;
        countKey = redis.KeyPrefix + "conns:count";
        nodesKey = redis.KeyPrefix + "conns:nodes";
        nodeKeyPrefix = redis.KeyPrefix + "conns:node:";
        nodeKey = nodeKeyPrefix + node;
    }

    /// <summary>The node's own counts (user → connections), read when Redis's copy must be written again.</summary>
    public void Track(Func<IReadOnlyDictionary<string, int>> counts) => truth = counts;

    /// <summary>
    /// Counts a connection of <paramref name="user"/> on every node: true when counted, false when the user already holds
    /// <paramref name="limit"/>, null when Redis was not asked or did not answer (the caller counts on this node alone).
    /// </summary>
    public async ValueTask<bool?> TryAcquireAsync(string user, int limit)
    {
        if (!fallback.ShouldAsk())
        {
            return Unanswered(null);
        }

        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            return Answered((long)await database.ScriptEvaluateAsync(Acquire, [countKey, nodeKey, nodesKey], [user, limit, node, Now()]));
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            return Unanswered(ex);
        }
        finally
        {
            Interlocked.Increment(ref changes);
        }
    }

    /// <summary>Gives back a connection counted (or meant to be counted) by <see cref="TryAcquireAsync"/>; sent to Redis at once by the heartbeat's owner.</summary>
    public void Released(string user)
    {
        if (!releases.Writer.TryWrite(user))
        {
            // Stopping: the node's counts are taken back whole.
            Volatile.Write(ref stale, 1);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Completes while Redis is down too (the client connects in the background).
        client = await redis.GetAsync();
        beating = Task.WhenAll(BeatAsync(), ReleaseAsync());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        releases.Writer.TryComplete();
        await stopping.CancelAsync();
        if (beating is not null)
        {
            await beating;
        }

        // This node's connections are ending with it: take its counts back at once rather than after DeadAfter.
        await TryBeatAsync("leave", []);
    }

    public void Dispose() => stopping.Dispose();

    private bool Answered(long counted)
    {
        fallback.Answered();
        if (counted == 2)
        {
            Volatile.Write(ref stale, 1);
        }

        return counted > 0;
    }

    private bool? Unanswered(Exception? exception)
    {
        if (exception is not null)
        {
            fallback.Failed(exception);
        }

        // Counted here only: Redis's copy is wrong until it is written again.
        Volatile.Write(ref stale, 1);
        return null;
    }

    private async Task ReleaseAsync()
    {
        await foreach (var user in releases.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                var database = (await redis.GetAsync()).GetDatabase();
                await database.ScriptEvaluateAsync(Release, [countKey, nodeKey], [user]);
                fallback.Answered();
            }
            catch (Exception ex) when (RedisConnection.IsFailure(ex))
            {
                fallback.Failed(ex);
                Volatile.Write(ref stale, 1);
            }
            finally
            {
                // Any change of Redis's copy after a rewrite has read the counts makes that rewrite suspect (see BeatAsync).
                Interlocked.Increment(ref changes);
            }
        }
    }

    private async Task BeatAsync()
    {
        using var timer = new PeriodicTimer(Heartbeat, time);
        try
        {
            do
            {
                if (Interlocked.Exchange(ref stale, 0) == 1)
                {
                    var before = Interlocked.Read(ref changes);
                    var counts = truth?.Invoke() ?? new Dictionary<string, int>();
                    var pairs = new List<RedisValue>(counts.Count * 2);
                    foreach (var (user, count) in counts)
                    {
                        pairs.Add(user);
                        pairs.Add(count);
                    }

                    // A slot taken or given back while the counts were written may be missing from them: write again next beat.
                    if (await TryBeatAsync("write", pairs) is null || Interlocked.Read(ref changes) != before)
                    {
                        Volatile.Write(ref stale, 1);
                    }
                }
                else if (await TryBeatAsync("beat", []) is not false)
                {
                    // Redis lost this node's entry (restarted empty, or swept the node) or did not answer.
                    Volatile.Write(ref stale, 1);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One heartbeat script call: whether this node's entry was missing, or null when Redis did not answer.</summary>
    private async Task<bool?> TryBeatAsync(string mode, IReadOnlyList<RedisValue> pairs)
    {
        RedisValue[] values = [node, Now(), (long)DeadAfter.TotalMilliseconds, nodeKeyPrefix, mode, .. pairs];
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var missing = (long)await database.ScriptEvaluateAsync(Beat, [countKey, nodesKey], values) == 1;
            fallback.Answered();
            return missing;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            fallback.Failed(ex);
            return null;
        }
    }

    private string Now() => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
