using System.Threading.RateLimiting;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// The message rate: a token bucket per connection (<c>Chatter:Limits:MessagesPerSecond</c>, <c>MessageBurst</c>), one
/// token per message sent and per other call. Past it the message or call is refused with <c>rate limited</c>, nothing
/// is stored or sent, and the connection stays; it is counted, and logged at most once per <see cref="LogEvery"/> per
/// connection. <c>MessagesPerSecond</c> 0 turns it off.
/// </summary>
internal sealed class MessageRate : IMessageRate, IDisposable
{
    /// <summary>A connection over its rate is logged at most once in this time.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ChatterMetrics metrics;
    private readonly TimeProvider time;
    private readonly ILogger<MessageRate> logger;
    private readonly PartitionedRateLimiter<string>? buckets;

    public MessageRate(ChatterMetrics metrics, IOptions<LimitsOptions> options, TimeProvider time, ILogger<MessageRate> logger)
    {
        this.metrics = metrics;
        this.time = time;
        this.logger = logger;
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

    public bool TryAcquire(HubCallerContext caller, string method)
    {
        if (buckets is null)
        {
            return true;
        }

        using var lease = buckets.AttemptAcquire(caller.ConnectionId);
        if (lease.IsAcquired)
        {
            return true;
        }

        var transport = ChatConnectionFeature.TransportOf(caller);
        metrics.RateLimited(transport);
        var now = time.GetTimestamp();
        if (caller.Items.TryGetValue(typeof(MessageRate), out var last) && time.GetElapsedTime((long)last!, now) < LogEvery)
        {
            return false;
        }

        caller.Items[typeof(MessageRate)] = now;
        LimitsLog.RateLimited(logger, caller.UserIdentifier, transport, caller.ConnectionId, method);
        return false;
    }

    public void Dispose() => buckets?.Dispose();
}
