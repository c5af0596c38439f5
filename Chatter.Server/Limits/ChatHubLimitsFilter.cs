using Chatter.Protocol.Frames;
using Chatter.Server.Delivery;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using AuthLog = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Limits;

/// <summary>
/// The hub's limits, kept out of the hub: the message rate on every call other than sending (the hub takes a token per
/// message sent itself, <see cref="MessageRate"/>), answered with a <see cref="HubRefusal"/> in place of the call; and
/// the connection limits for SignalR clients (raw clients take their slot at login).
/// </summary>
internal sealed class ChatHubLimitsFilter(ConnectionLimiter connections, IMessageRate rate, ChatterMetrics metrics, ILogger<ChatHubLimitsFilter> logger) : IHubFilter
{
    private static readonly HubRefusal RateLimited = new(FrameError.RateLimited);

    /// <summary>The <c>Items</c> key of a connection refused before the hub saw it.</summary>
    private static readonly object Refused = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        if (method is nameof(ChatHub.SendMessage) or nameof(ChatHub.SendMessages) or nameof(ChatHub.SendMessageWithRef) or nameof(ChatHub.Typing) || await rate.AcquireAsync(invocationContext.Context, method, 1) == 1)
        {
            return await next(invocationContext);
        }

        return RateLimited;
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.Features.Get<ChatConnectionFeature>() is not null)
        {
            await next(context);
            return;
        }

        var user = context.Context.UserIdentifier!;
        var slot = await connections.TryAcquireAsync(user);
        if (slot is null)
        {
            AuthLog.LoginRefused(logger, user, context.Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString(), "signalr", FrameError.TooManyConnections);
            metrics.LoginRefused("signalr", FrameError.TooManyConnections);
            // An answer, not an exception: the hub never sees the connection, and nothing is logged as an error.
            context.Context.Items[Refused] = true;
            context.Context.Features.Get<IDelivery>()!.Refuse(FrameError.TooManyConnections);
            return;
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
        if (context.Context.Items.ContainsKey(Refused))
        {
            // The hub never had this connection.
            return;
        }

        try
        {
            await next(context, exception);
        }
        finally
        {
            (context.Context.Items.TryGetValue(typeof(ConnectionLimiter), out var slot) ? slot as IDisposable : null)?.Dispose();
        }
    }
}
