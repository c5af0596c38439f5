using System.Globalization;
using Chatter.Server.Backplane;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Chatter.Server.Hubs;

/// <summary>
/// Presence across nodes, in Redis under the key prefix: <c>presence:count</c> (user → connections on every node),
/// <c>presence:node:ID</c> (user → connections on node ID) and <c>presence:nodes</c> (node ID → its last heartbeat).
/// Every change is one Lua script, so the count a node reads back says exactly whether the user joined or left.
/// A node that stops beating (killed) is swept by the others after <see cref="DeadAfter"/>: its users' counts are
/// taken back and those who are then gone are announced as left. A stopping node takes its own counts back.
/// </summary>
public sealed class RedisPresence : IPresence, IHostedService, IDisposable
{
    /// <summary>How often a node says it is alive and sweeps dead ones.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>A node whose last heartbeat is older than this is taken for dead.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(20);

    private const string Connect = """
        redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
        redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
        return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        """;

    // A user the node no longer holds (swept while Redis was away, or never counted) changes nothing: -1.
    private const string Disconnect = """
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
        if redis.call('HINCRBY', KEYS[2], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
        local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
        if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) return 0 end
        return left
        """;

    // KEYS: count, nodes. ARGV: this node, now (ms), dead after (ms), node key prefix, 1 to remove this node too.
    // Returns the users who left because of the sweep.
    private const string Sweep = """
        local gone = {}
        local nodes = redis.call('HGETALL', KEYS[2])
        for i = 1, #nodes, 2 do
          local node, beat = nodes[i], tonumber(nodes[i + 1])
          if (node == ARGV[1] and ARGV[5] == '1') or (node ~= ARGV[1] and tonumber(ARGV[2]) - beat > tonumber(ARGV[3])) then
            local key = ARGV[4] .. node
            local users = redis.call('HGETALL', key)
            for j = 1, #users, 2 do
              if redis.call('HINCRBY', KEYS[1], users[j], -tonumber(users[j + 1])) <= 0 then
                redis.call('HDEL', KEYS[1], users[j])
                table.insert(gone, users[j])
              end
            end
            redis.call('DEL', key)
            redis.call('HDEL', KEYS[2], node)
          end
        end
        if ARGV[5] ~= '1' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
        return gone
        """;

    private readonly RedisConnection redis;
    private readonly IHubContext<ChatHub, IChatClient> hub;
    private readonly TimeProvider time;
    private readonly ILogger<RedisPresence> logger;
    private readonly string node = Guid.NewGuid().ToString("N");
    private readonly RedisKey countKey;
    private readonly RedisKey nodeKey;
    private readonly RedisKey nodesKey;
    private readonly string nodeKeyPrefix;
    private readonly CancellationTokenSource stopping = new();
    private Task? beating;

    public RedisPresence(RedisConnection redis, IHubContext<ChatHub, IChatClient> hub, TimeProvider time, ILogger<RedisPresence> logger)
    {
        this.redis = redis;
        this.hub = hub;
        this.time = time;
        this.logger = logger;
        countKey = redis.KeyPrefix + "presence:count";
        nodesKey = redis.KeyPrefix + "presence:nodes";
        nodeKeyPrefix = redis.KeyPrefix + "presence:node:";
        nodeKey = nodeKeyPrefix + node;
    }

    public async ValueTask<bool> ConnectedAsync(string user)
        => (long)await EvaluateAsync(Connect, [countKey, nodeKey, nodesKey], [user, node, Now()]) == 1;

    public async ValueTask<bool> DisconnectedAsync(string user)
        => (long)await EvaluateAsync(Disconnect, [countKey, nodeKey], [user]) == 0;

    public async ValueTask<string[]> OnlineAsync()
    {
        try
        {
            var users = (await (await redis.GetAsync()).GetDatabase().HashKeysAsync(countKey)).Select(u => u.ToString()).ToArray();
            Array.Sort(users, StringComparer.Ordinal);
            return users;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new PresenceUnavailableException("presence not available", ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        beating = BeatAsync();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (beating is not null)
        {
            await beating;
        }

        try
        {
            // This node's connections are ending with it: take its counts back at once rather than after DeadAfter.
            await SweepAsync(removeSelf: true);
        }
        catch (PresenceUnavailableException)
        {
            // Redis is away: the others sweep this node once its heartbeat is old.
        }
    }

    public void Dispose() => stopping.Dispose();

    private async Task BeatAsync()
    {
        using var timer = new PeriodicTimer(Heartbeat, time);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(removeSelf: false);
                }
                catch (PresenceUnavailableException)
                {
                    // Redis is away; the next beat tries again.
                }
            }
            while (await timer.WaitForNextTickAsync(stopping.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SweepAsync(bool removeSelf)
    {
        var gone = (RedisValue[])(await EvaluateAsync(
            Sweep,
            [countKey, nodesKey],
            [node, Now(), (long)DeadAfter.TotalMilliseconds, nodeKeyPrefix, removeSelf ? "1" : "0"]))!;
        foreach (var user in gone)
        {
            PresenceLog.DeadNodeUserLeft(logger, user.ToString());
            await hub.Clients.Group(ChatHub.PresenceGroup).UserLeft(user.ToString());
        }
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await (await redis.GetAsync()).GetDatabase().ScriptEvaluateAsync(script, keys, values);
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new PresenceUnavailableException("presence not available", ex);
        }
    }

    private string Now() => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
