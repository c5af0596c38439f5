using System.Threading.RateLimiting;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// The message rate: a token bucket (<c>Chatter:Limits:MessagesPerSecond</c>, <c>MessageBurst</c>), one token per
/// message sent and per other call. Without Redis the bucket is per connection; with Redis it is per user across every
/// node (<see cref="RedisMessageBudget"/>), and per connection again while Redis does not answer. Past it the message or
/// call is refused with <c>rate limited</c>, nothing is stored or sent, and the connection stays; it is counted, and
/// logged at most once per <see cref="LogEvery"/> per connection. <c>MessagesPerSecond</c> 0 turns it off.
/// </summary>
internal sealed class MessageRate : IMessageRate, IDisposable
{
    /// <summary>A connection over its rate is logged at most once in this time.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ChatterMetrics metrics;
    private readonly TimeProvider time;
    private readonly ILogger<MessageRate> logger;
    private readonly RedisMessageBudget? shared;
    private readonly PartitionedRateLimiter<string>? buckets;

    public MessageRate(ChatterMetrics metrics, IOptions<LimitsOptions> options, TimeProvider time, ILogger<MessageRate> logger, RedisMessageBudget? shared = null)
    {
        this.metrics = metrics;
        this.time = time;
        this.logger = logger;
        this.shared = shared;
        var limits = options.Value;
        if (limits.MessagesPerSecond > 0)
        {
            // One bucket per connection, refilled by the limiter's one shared timer; full (idle) buckets are dropped.
            buckets = PartitionedRateLimiter.Create<string, string>(connectionId => RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(limits.MessageBurst, limits.MessagesPerSecond),
                TokensPerPeriod = limits.MessagesPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }));
        }
    }

    public ValueTask<int> AcquireAsync(HubCallerContext caller, string method, int count)
    {
        if (buckets is null || count <= 0)
        {
            return ValueTask.FromResult(count);
        }

        return shared is null || caller.UserIdentifier is null
            ? ValueTask.FromResult(Counted(caller, method, count, TakeLocally(caller.ConnectionId, count)))
            : AcquireSharedAsync(caller, method, count);
    }

    public void Dispose() => buckets?.Dispose();

    private async ValueTask<int> AcquireSharedAsync(HubCallerContext caller, string method, int count)
    {
        var granted = await shared!.TryTakeAsync(caller.UserIdentifier!, count) ?? TakeLocally(caller.ConnectionId, count);
        return Counted(caller, method, count, granted);
    }

    /// <summary>Takes tokens one by one from the connection's own bucket: the first ones of the batch that fit.</summary>
    private int TakeLocally(string connectionId, int count)
    {
        var granted = 0;
        while (granted < count)
        {
            using var lease = buckets!.AttemptAcquire(connectionId);
            if (!lease.IsAcquired)
            {
                break;
            }

            granted++;
        }

        return granted;
    }

    /// <summary>Counts and (at most once per <see cref="LogEvery"/>) logs the refused part of a batch.</summary>
    private int Counted(HubCallerContext caller, string method, int count, int granted)
    {
        if (granted >= count)
        {
            return granted;
        }

        var transport = ChatConnectionFeature.TransportOf(caller);
        for (var i = granted; i < count; i++)
        {
            metrics.RateLimited(transport);
        }

        var now = time.GetTimestamp();
        if (caller.Items.TryGetValue(typeof(MessageRate), out var last) && time.GetElapsedTime((long)last!, now) < LogEvery)
        {
            return granted;
        }

        caller.Items[typeof(MessageRate)] = now;
        LimitsLog.RateLimited(logger, caller.UserIdentifier, transport, caller.ConnectionId, method);
        return granted;
    }
}
