using System.Diagnostics.CodeAnalysis;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hosting;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Log = Chatter.Server.Hubs.DeliveryLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// Wraps the real lifetime manager (in-process, or the Redis backplane) so that it delivers to each connection
/// through a <see cref="DeliveryContext"/>. Everything else is the inner manager's.
/// </summary>
internal sealed class DeliveryLifetimeManager(
    HubLifetimeManager<ChatHub> inner,
    RawHubProtocol rawProtocol,
    IOptions<ChatterOptions> options,
    ChatterMetrics metrics,
    SignalRShutdown shutdown,
    TimeProvider time,
    ILoggerFactory loggers) : HubLifetimeManager<ChatHub>
{
    private readonly ILogger logger = loggers.CreateLogger<DeliveryLifetimeManager>();
    private readonly ILogger deliveryLogger = loggers.CreateLogger<DeliveryContext>();

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var limit = options.Value.Limits.OutboundBufferMessages;
        var delivery = new DeliveryContext(connection, rawProtocol, limit == 0 ? int.MaxValue : limit, metrics, time, loggers, deliveryLogger);
        connection.Items[typeof(DeliveryContext)] = delivery;
        shutdown.Add(connection);
        try
        {
            await inner.OnConnectedAsync(delivery);
        }
        catch (Exception ex) when (IsBackplaneOutage(ex))
        {
            // The Redis manager lists the connection before it subscribes the connection's own channels, so the connection
            // still gets every broadcast (the node-wide channel comes back with Redis); Chatter sends nothing through the
            // per-connection and per-user channels. A login during an outage works rather than being dropped.
            Log.BackplaneRegistrationFailed(logger, connection.UserIdentifier, connection.ConnectionId, ex);
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        shutdown.Remove(connection);
        try
        {
            await inner.OnDisconnectedAsync(connection.Items.TryGetValue(typeof(DeliveryContext), out var delivery) ? (DeliveryContext)delivery! : connection);
        }
        catch (Exception ex) when (IsBackplaneOutage(ex))
        {
            // The connection was removed before the unsubscribe failed; Redis forgets the subscriptions of a lost connection.
            Log.BackplaneRegistrationFailed(logger, connection.UserIdentifier, connection.ConnectionId, ex);
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
        => inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
        => inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => inner.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
        => inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken)
        => inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result)
        => inner.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type)
        => inner.TryGetReturnType(invocationId, out type);

    private static bool IsBackplaneOutage(Exception ex) => ex is RedisException or TimeoutException;
}
