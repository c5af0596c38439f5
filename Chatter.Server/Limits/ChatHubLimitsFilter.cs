using System.Threading.RateLimiting;
using Chatter.Protocol.Frames;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hosting;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using AuthLog = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Limits;

/// <summary>
/// The hub's limits, kept out of the hub: a token bucket per connection on every call
/// (<c>Chatter:Limits:MessagesPerSecond</c>, <c>MessageBurst</c>; past it the call is refused with
/// <c>rate limited</c>, nothing is stored or sent, the connection stays), and the connection limits for SignalR
/// clients (raw clients take their slot at login, in <see cref="RawWebSocket.RawChatEndpoint"/>).
/// </summary>
internal sealed class ChatHubLimitsFilter : IHubFilter, IDisposable
{
    /// <summary>A connection over its rate is logged at most once in this time.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly ConnectionLimiter connections;
    private readonly ChatterMetrics metrics;
    private readonly TimeProvider time;
    private readonly ILogger<ChatHubLimitsFilter> logger;
    private readonly PartitionedRateLimiter<string>? calls;

    public ChatHubLimitsFilter(ConnectionLimiter connections, ChatterMetrics metrics, IOptions<ChatterOptions> options, TimeProvider time, ILogger<ChatHubLimitsFilter> logger)
    {
        this.connections = connections;
        this.metrics = metrics;
        this.time = time;
        this.logger = logger;
        var limits = options.Value.Limits;
        if (limits.MessagesPerSecond > 0)
        {
            // One bucket per connection, refilled by the limiter's one shared timer; full (idle) buckets are dropped.
            calls = PartitionedRateLimiter.Create<string, string>(connectionId => RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(limits.MessageBurst, limits.MessagesPerSecond),
                TokensPerPeriod = limits.MessagesPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }));
        }
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (calls is not null)
        {
            if (invocationContext.HubMethodArguments is [RawFrameBatch batch])
            {
                // A batch is the frames a raw client sent back to back: each frame pays its own token, and a frame
                // past the rate is answered "rate limited" in its place while the others go on.
                var frames = batch.Frames;
                for (var i = 0; i < frames.Length; i++)
                {
                    if (!TryAcquire(invocationContext))
                    {
                        frames[i] = frames[i] with { RateLimited = true };
                    }
                }
            }
            else if (!TryAcquire(invocationContext))
            {
                throw new HubException(FrameError.RateLimited);
            }
        }

        return await next(invocationContext);
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.Features.Get<ChatConnectionFeature>() is not null)
        {
            await next(context);
            return;
        }

        var user = context.Context.UserIdentifier!;
        if (DeliveryContext.Of(context.Context).Protocol.Name == RawWebSocket.RawHubProtocol.ProtocolName)
        {
            // chatter-raw is the in-process protocol of /ws/chat connections, not one a SignalR client may choose.
            AuthLog.LoginRefused(logger, user, context.Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString(), "signalr", FrameError.ProtocolNotSupported);
            throw new HubException(FrameError.ProtocolNotSupported);
        }

        var slot = connections.TryAcquire(user);
        if (slot is null)
        {
            AuthLog.LoginRefused(logger, user, context.Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString(), "signalr", FrameError.TooManyConnections);
            metrics.LoginRefused("signalr", FrameError.TooManyConnections);
            throw new HubException(FrameError.TooManyConnections);
        }

        context.Context.Items[typeof(ConnectionLimiter)] = slot;
        try
        {
            await next(context);
        }
        catch
        {
            // The hub's OnDisconnectedAsync does not run after a failed OnConnectedAsync.
            slot.Dispose();
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            (context.Context.Items.TryGetValue(typeof(ConnectionLimiter), out var slot) ? slot as IDisposable : null)?.Dispose();
        }
    }

    public void Dispose() => calls?.Dispose();

    /// <summary>Takes a token from the caller's bucket; false (counted, and logged once per <see cref="LogEvery"/>) when it is empty.</summary>
    private bool TryAcquire(HubInvocationContext invocationContext)
    {
        var context = invocationContext.Context;
        using var lease = calls!.AttemptAcquire(context.ConnectionId);
        if (lease.IsAcquired)
        {
            return true;
        }

        metrics.RateLimited(ChatConnectionFeature.TransportOf(context));
        var now = time.GetTimestamp();
        if (context.Items.TryGetValue(typeof(ChatHubLimitsFilter), out var last) && time.GetElapsedTime((long)last!, now) < LogEvery)
        {
            return false;
        }

        context.Items[typeof(ChatHubLimitsFilter)] = now;
        LimitsLog.RateLimited(logger, context.UserIdentifier, ChatConnectionFeature.TransportOf(context), context.ConnectionId, invocationContext.HubMethodName);
        return false;
    }
}
