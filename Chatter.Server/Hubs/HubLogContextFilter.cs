using Microsoft.AspNetCore.SignalR;
using Serilog.Context;
using Serilog.Core;
using Serilog.Events;

namespace Chatter.Server.Hubs;

/// <summary>
/// Every log event written while the hub handles a connection (its own and the framework's) carries the
/// connection's <c>User</c>, <c>ConnectionId</c> and <c>Transport</c>. The request id of the WebSocket request that
/// carries the connection is already on them (ASP.NET Core's request scope flows into the connection).
/// </summary>
internal sealed class HubLogContextFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using (LogContext.Push(ConnectionProperties.Of(invocationContext.Context)))
        {
            return await next(invocationContext);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        using (LogContext.Push(ConnectionProperties.Of(context.Context)))
        {
            await next(context);
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        using (LogContext.Push(ConnectionProperties.Of(context.Context)))
        {
            await next(context, exception);
        }
    }

    /// <summary>The three properties of one connection, made once and kept with it.</summary>
    private sealed class ConnectionProperties : ILogEventEnricher
    {
        private readonly LogEventProperty[] properties;

        private ConnectionProperties(HubCallerContext context)
            => properties =
            [
                new("User", new ScalarValue(context.UserIdentifier)),
                new("ConnectionId", new ScalarValue(context.ConnectionId)),
                new("Transport", new ScalarValue(ChatConnectionFeature.TransportOf(context))),
            ];

        public static ConnectionProperties Of(HubCallerContext context)
        {
            if (context.Items.TryGetValue(typeof(ConnectionProperties), out var made))
            {
                return (ConnectionProperties)made!;
            }

            var properties = new ConnectionProperties(context);
            context.Items[typeof(ConnectionProperties)] = properties;
            return properties;
        }

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            foreach (var property in properties)
            {
                logEvent.AddPropertyIfAbsent(property);
            }
        }
    }
}
