using System.Collections.Concurrent;
using Chatter.Server.Configuration;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Chatter.Server.Delivery;
using Log = Chatter.Server.Hubs.SignalRShutdownLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// Closes SignalR connections cleanly when the node stops (SIGTERM, Ctrl-C): each gets a close message that allows a
/// reconnect (a client with automatic reconnect moves to another node), and the stop waits, up to half of
/// <c>Chatter:ShutdownDrainSeconds</c>, until the hub's HTTP requests have ended. Without it SignalR disposes them as
/// the node stops and the clients see a reset. Raw connections are closed by their own pump (1001).
/// <para>
/// The wait is for the requests, not only the hub connections: SignalR's own stopping callback disposes every connection
/// still listed, and one that is ending on its own at that moment would be disposed twice.
/// </para>
/// </summary>
internal sealed class SignalRShutdown(IHostApplicationLifetime lifetime, IOptions<ChatterOptions> options, ILogger<SignalRShutdown> logger) : IHostedService, IHubConnectionObserver
{
    private static readonly CloseMessage GoingAway = new(error: null, allowReconnect: true);

    private readonly ConcurrentDictionary<string, HubConnectionContext> connections = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private int requests;
    private TaskCompletionSource idle = Idle();
    private CancellationTokenRegistration stopping;

    /// <summary>Runs every request of the hub's endpoints through <see cref="RunTrackedAsync"/>.</summary>
    public static void TrackRequests(IEndpointConventionBuilder hub, SignalRShutdown shutdown)
        => hub.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is { } next)
            {
                endpoint.RequestDelegate = context => shutdown.RunTrackedAsync(context, next);
            }
        });

    /// <summary>Tracks a SignalR connection (raw ones are ignored) until <see cref="Disconnected"/>.</summary>
    public void Connected(HubConnectionContext connection)
    {
        if (connection.Features.Get<ChatConnectionFeature>() is null)
        {
            connections[connection.ConnectionId] = connection;
        }
    }

    public void Disconnected(HubConnectionContext connection) => connections.TryRemove(connection.ConnectionId, out _);

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

    private async Task RunTrackedAsync(HttpContext context, RequestDelegate next)
    {
        lock (gate)
        {
            if (requests++ == 0)
            {
                idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        try
        {
            await next(context);
        }
        finally
        {
            TaskCompletionSource? ended = null;
            lock (gate)
            {
                if (--requests == 0)
                {
                    ended = idle;
                }
            }

            ended?.TrySetResult();
        }
    }

    private void CloseAll()
    {
        if (connections.IsEmpty)
        {
            return;
        }

        foreach (var connection in connections.Values)
        {
            // HubConnectionContext.WriteAsync reports a failed write by aborting the connection, never by throwing.
            _ = connection.WriteAsync(GoingAway, CancellationToken.None).AsTask();
        }

        Task requestsEnded;
        lock (gate)
        {
            requestsEnded = idle.Task;
        }

        // A stopping callback is synchronous; the host waits for it before stopping the server (SignalR's own waits too).
        var patience = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds / 2.0);
        if (!requestsEnded.Wait(patience))
        {
            Log.ShutdownCloseTimedOut(logger, connections.Count, patience.TotalSeconds);
        }
    }

    private static TaskCompletionSource Idle()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        idle.SetResult();
        return idle;
    }
}
