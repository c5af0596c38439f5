using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Log = Chatter.Server.Backplane.RedisLog;

namespace Chatter.Server.Backplane;

/// <summary>
/// The node's one connection to Redis (<c>Chatter:Redis:Configuration</c>), shared by the SignalR backplane, the Redis
/// history and the health check. It is made for outages: the node starts while Redis is down, every command fails
/// within <c>Chatter:Redis:TimeoutMilliseconds</c> (at once while disconnected, never queued to run later), and the
/// client reconnects and re-subscribes by itself when Redis returns.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions configuration;
    private readonly ILogger<RedisConnection> logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> multiplexer;
    private readonly CancellationTokenSource disposed = new();

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        var redis = options.Value;
        configuration = CreateConfiguration(redis);
        this.logger = logger;
        KeyPrefix = "{" + redis.ChannelPrefix + "}:";
        multiplexer = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>
    /// The prefix of every key Chatter writes: the channel prefix as a hash tag (<c>{chatter}:</c>), so a deployment's keys
    /// are its own and sit in one cluster slot (the history scripts touch several keys at once).
    /// </summary>
    public string KeyPrefix { get; }

    /// <summary>
    /// The client settings for <paramref name="redis"/>: the operator's configuration string, made to fail fast and
    /// recover by itself, with the channel prefix applied to every pub/sub channel (the backplane's included).
    /// </summary>
    /// <exception cref="ArgumentException">The configuration string cannot be parsed.</exception>
    public static ConfigurationOptions CreateConfiguration(RedisOptions redis)
    {
        var configuration = ConfigurationOptions.Parse(redis.Configuration ?? string.Empty);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = redis.TimeoutMilliseconds;
        configuration.SyncTimeout = redis.TimeoutMilliseconds;
        configuration.AsyncTimeout = redis.TimeoutMilliseconds;
        // A command issued while Redis is unreachable fails now rather than waiting in a backlog and running later:
        // a message the sender was told is not stored must never be stored afterwards.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ChannelPrefix = RedisChannel.Literal(redis.ChannelPrefix + ":");
        configuration.ClientName ??= "chatter";
        return configuration;
    }

    /// <summary>The connected (or reconnecting) client; completes even while Redis is down.</summary>
    public Task<IConnectionMultiplexer> GetAsync() => multiplexer.Value;

    /// <summary>
    /// The client once it is connected and can subscribe. The backplane takes its client from here: SignalR's Redis
    /// lifetime manager subscribes its node-wide channels once, on first use, and never again if that fails, so it must
    /// not get a client before a subscription succeeds (a node started during an outage, or whose subscription connection
    /// is still opening, would otherwise never receive a broadcast).
    /// </summary>
    public async Task<IConnectionMultiplexer> GetConnectedAsync()
    {
        var client = await GetAsync();
        var probe = RedisChannel.Literal("ready-probe:" + Guid.NewGuid().ToString("N"));
        var logged = false;
        // The reconnect policy retries every half second; trying at the same pace needs no event bookkeeping.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        do
        {
            if (client.IsConnected)
            {
                try
                {
                    var subscriber = client.GetSubscriber();
                    await subscriber.SubscribeAsync(probe, static (_, _) => { });
                    await subscriber.UnsubscribeAsync(probe);
                    return client;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Not ready yet: try again at the next tick.
                }
            }

            if (!logged)
            {
                Log.BackplaneWaiting(logger);
                logged = true;
            }
        }
        while (await timer.WaitForNextTickAsync(disposed.Token));

        return client;
    }

    /// <summary>True for the exceptions of a Redis that cannot be reached or answered too late (and of a client disposed at stop).</summary>
    public static bool IsFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Throws when Redis does not answer a PING within the timeout.</summary>
    public async Task PingAsync()
    {
        var client = await GetAsync();
        await client.GetDatabase().PingAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed.IsCancellationRequested)
        {
            return;
        }

        // A backplane still waiting for Redis stops waiting (its first connection fails; the node is stopping anyway).
        await disposed.CancelAsync();
        if (multiplexer.IsValueCreated)
        {
            var client = await multiplexer.Value;
            await client.DisposeAsync();
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var client = await ConnectionMultiplexer.ConnectAsync(configuration);
        client.ConnectionFailed += (_, e) => Log.ConnectionFailed(logger, e.EndPoint?.ToString(), e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception);
        client.ConnectionRestored += (_, e) => Log.ConnectionRestored(logger, e.EndPoint?.ToString(), e.ConnectionType.ToString());
        if (!client.IsConnected)
        {
            Log.StartedDisconnected(logger, string.Join(", ", configuration.EndPoints));
        }

        return client;
    }
}
