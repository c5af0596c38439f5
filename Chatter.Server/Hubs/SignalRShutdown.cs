using System.Collections.Concurrent;
using Chatter.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Hubs.DeliveryLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// Closes SignalR connections cleanly when the node stops (SIGTERM, Ctrl-C): each gets a close message that allows a
/// reconnect (a client with automatic reconnect moves to another node), and the stop waits, up to half of
/// <c>Chatter:ShutdownDrainSeconds</c>, for the clients to close their side. Without it SignalR aborts them on stopping and
/// the clients see a reset. Raw connections are closed by their own pump (1001).
/// </summary>
internal sealed class SignalRShutdown(IHostApplicationLifetime lifetime, IOptions<ChatterOptions> options, ILogger<SignalRShutdown> logger) : IHostedService
{
    private static readonly CloseMessage GoingAway = new(error: null, allowReconnect: true);

    private readonly ConcurrentDictionary<string, (HubConnectionContext Connection, TaskCompletionSource Closed)> connections = new(StringComparer.Ordinal);
    private CancellationTokenRegistration stopping;

    /// <summary>Tracks a SignalR connection (raw ones are ignored) until <see cref="Remove"/>.</summary>
    public void Add(HubConnectionContext connection)
    {
        if (connection.Features.Get<ChatConnectionFeature>() is null)
        {
            connections[connection.ConnectionId] = (connection, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    public void Remove(HubConnectionContext connection)
    {
        if (connections.TryRemove(connection.ConnectionId, out var entry))
        {
            entry.Closed.TrySetResult();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after SignalR's own stopping callback (made when the hub was mapped), so it runs before it:
        // stopping callbacks run last registered first.
        stopping = lifetime.ApplicationStopping.Register(CloseAll);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        stopping.Dispose();
        return Task.CompletedTask;
    }

    private void CloseAll()
    {
        var closing = new List<Task>();
        foreach (var (connection, closed) in connections.Values)
        {
            _ = connection.WriteAsync(GoingAway, CancellationToken.None).AsTask();
            closing.Add(closed.Task);
        }

        if (closing.Count == 0)
        {
            return;
        }

        // A stopping callback is synchronous; the host waits for it before stopping the server (SignalR's own waits too).
        var patience = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds / 2.0);
        if (!Task.WaitAll([.. closing], patience))
        {
            Log.ShutdownCloseTimedOut(logger, closing.Count(task => !task.IsCompleted), patience.TotalSeconds);
        }
    }
}
