using System.Globalization;
using Chatter.Server.Backplane;
using StackExchange.Redis;
using Log = Chatter.Server.Moderation.ModerationLog;

namespace Chatter.Server.Moderation;

/// <summary>
/// <see cref="IKickList"/> shared by every node: a kick is the key <c>kicked:USER</c> under the key prefix (its end in
/// Unix milliseconds, expiring with it) and a message on the <c>kick</c> channel, on which every node (this one
/// included) closes the user's connections at once. The end is compared with the injected clock, so the key's expiry
/// only cleans up. While Redis does not answer, a kick is kept and applied on this node alone (<see cref="MemoryKickList"/>,
/// logged), and a login is checked against this node's kicks only (fail open, as the shared limits do).
/// </summary>
public sealed class RedisKickList(RedisConnection redis, MemoryKickList local, TimeProvider time, ILogger<RedisKickList> logger) : IKickList, IHostedService, IDisposable
{
    /// <summary>How often a failed subscription is tried again.</summary>
    private static readonly TimeSpan RetrySubscription = TimeSpan.FromSeconds(1);

    private static readonly RedisChannel Channel = RedisChannel.Literal("kick");

    private readonly CancellationTokenSource stopping = new();
    private Task subscribing = Task.CompletedTask;
    private int failing;

    public async ValueTask KickAsync(string user, DateTimeOffset until)
    {
        var left = until - time.GetUtcNow();
        try
        {
            var client = await redis.GetAsync();
            await client.GetDatabase().StringSetAsync(Key(user), until.ToUnixTimeMilliseconds(), left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            // Every node's subscription, this node's included, closes the user's connections.
            await client.GetSubscriber().PublishAsync(Channel, user);
            Answered();
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            Log.KickNotShared(logger, user, ex);
            await local.KickAsync(user, until);
        }
    }

    public async ValueTask<DateTimeOffset?> KickedUntilAsync(string user)
    {
        if (local.KickedUntil(user) is { } here)
        {
            return here;
        }

        try
        {
            var value = await (await redis.GetAsync()).GetDatabase().StringGetAsync(Key(user));
            Answered();
            return value.TryParse(out long ms) && DateTimeOffset.FromUnixTimeMilliseconds(ms) is var until && until > time.GetUtcNow() ? until : null;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            if (Interlocked.Exchange(ref failing, 1) == 0)
            {
                Log.KicksUnreachable(logger, ex);
            }

            return null;
        }
    }

    /// <summary>Subscribes to the kicks of every node; when Redis does not answer now, goes on trying in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!await TrySubscribeAsync())
        {
            subscribing = KeepSubscribingAsync();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await subscribing;
    }

    public void Dispose() => stopping.Dispose();

    private async Task KeepSubscribingAsync()
    {
        using var timer = new PeriodicTimer(RetrySubscription, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token) && !await TrySubscribeAsync())
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    private async Task<bool> TrySubscribeAsync()
    {
        try
        {
            // Once subscribed, the client subscribes again by itself after a reconnect.
            var client = await redis.GetAsync();
            await client.GetSubscriber().SubscribeAsync(Channel, (_, user) => local.Cut(user.ToString()));
            return true;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            Log.KickSubscriptionFailed(logger, ex);
            return false;
        }
    }

    private void Answered()
    {
        if (Interlocked.Exchange(ref failing, 0) == 1)
        {
            Log.KicksBack(logger);
        }
    }

    private RedisKey Key(string user) => string.Create(CultureInfo.InvariantCulture, $"{redis.KeyPrefix}kicked:{user}");
}
