using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Chatter.Server.Diagnostics;
using StackExchange.Redis;
using Log = Chatter.Server.Delivery.DeliveryLog;

namespace Chatter.Server.Delivery;

/// <summary>
/// Wraps the real lifetime manager (in-process, or the Redis backplane) so that it delivers to each connection through a
/// <see cref="DeliveryConnection"/>, into the connection's own <see cref="Outbox"/>. A raw connection brings its
/// queue (a feature; its socket's writer loop drains it); a SignalR connection gets one here, with a
/// <see cref="HubConnectionSender"/> that is awaited when the connection goes. Everything else is the inner manager's.
/// </summary>
public sealed class DeliveryLifetimeManager<THub>(
    HubLifetimeManager<THub> inner,
    OutboxFactory outboxes,
    IChatMessageIds ids,
    SerializationCache serialized,
    OutboundBudget budget,
    SendTimeouts timeouts,
    Checkpoints checkpoints,
    IEnumerable<IHubConnectionObserver> observers,
    ChatterMetrics metrics,
    ILoggerFactory loggers) : HubLifetimeManager<THub> where THub : Hub
{
    private readonly ILogger logger = loggers.CreateLogger<DeliveryConnection>();
    private readonly IHubConnectionObserver[] observers = [.. observers];

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var queue = connection.Features.Get<Outbox>();
        if (queue is null)
        {
            queue = outboxes.Create();
            var watches = new CompositeWatch(
                timeouts.Watch(queue, connection.ConnectionId, connection.UserIdentifier, () => AbortAll(connection)),
                budget.Register(queue, connection.ConnectionId, connection.UserIdentifier, () => AbortAll(connection)));
            var sender = new HubConnectionSender(queue, connection, watches);
            connection.Features.Set(sender);
            sender.Start();
        }

        var delivery = new DeliveryConnection(connection, queue, ids, serialized, outboxes.MaxMessages, checkpoints, metrics, loggers, logger);
        connection.Features.Set<IDelivery>(delivery);
        foreach (var observer in observers)
        {
            observer.Connected(connection);
        }

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
        foreach (var observer in observers)
        {
            observer.Disconnected(connection);
        }

        try
        {
            await inner.OnDisconnectedAsync(connection.Features.Get<IDelivery>() as DeliveryConnection ?? connection);
        }
        catch (Exception ex) when (IsBackplaneOutage(ex))
        {
            // The connection was removed before the unsubscribe failed; Redis forgets the subscriptions of a lost connection.
            Log.BackplaneRegistrationFailed(logger, connection.UserIdentifier, connection.ConnectionId, ex);
        }
        finally
        {
            (connection.Features.Get<IDelivery>() as DeliveryConnection)?.Ended();
            if (connection.Features.Get<HubConnectionSender>() is { } sender)
            {
                await sender.StopAsync();
            }
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

    private static void AbortAll(HubConnectionContext connection)
    {
        connection.Abort();
        connection.Features.Get<IConnectionLifetimeFeature>()?.Abort();
    }

    private sealed class CompositeWatch(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }

    private static bool IsBackplaneOutage(Exception ex) => ex is RedisException or TimeoutException;
}

