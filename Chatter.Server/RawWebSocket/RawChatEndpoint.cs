using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Chatter.Server.Delivery;
using Chatter.Server.Configuration;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// <c>/ws/chat</c>: the original protocol's login exchange, then the client joins the hub as an ordinary
/// connection (<see cref="RawSocketPump"/>). All chat logic is the hub's.
/// </summary>
internal sealed class RawChatEndpoint(
    HubConnectionHandler<ChatHub> hub,
    RawLogin login,
    OutboxFactory outboxes,
    OutboundBudget budget,
    SendTimeouts timeouts,
    UnauthenticatedConnections unauthenticated,
    IOptions<ChatterOptions> options,
    IHostApplicationLifetime lifetime,
    IMemoryPoolFactory<byte> memoryPools,
    ILogger<RawChatEndpoint> logger)
{
    /// <summary>Where raw clients connect: <c>/ws/chat</c>, the original's path.</summary>
    public const string Path = "/ws/chat";

    /// <summary>True for a request to <see cref="Path"/> (as a route would match it: any case, a trailing slash allowed).</summary>
    public static bool Handles(HttpContext context)
        => context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is null or "" or "/";

    /// <summary>The raw connections' input pipe options, one for all of them (see <see cref="CreateInputPipe"/>).</summary>
    private readonly PipeOptions inputPipe = CreateInputPipe(memoryPools.Create(), options.Value);

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("/ws/chat expects a WebSocket upgrade", context.RequestAborted);
            return;
        }

        var remote = context.Connection.RemoteIpAddress?.ToString();
        var (place, refusal) = unauthenticated.TryEnter(remote);
        if (place is null)
        {
            // Refused before the upgrade: a socket that is never accepted costs nothing past this response.
            LimitsLog.UpgradeRefused(logger, remote, refusal == StatusCodes.Status429TooManyRequests ? "too many sockets not logged in from this address" : "too many sockets not logged in");
            context.Response.StatusCode = refusal;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync(refusal == StatusCodes.Status429TooManyRequests ? "too many connections not logged in from this address" : "server busy", context.RequestAborted);
            return;
        }

        using var socket = await AcceptAsync(context, place);
        // The login exchange is a method of its own so that none of it (its reader, the login frame with the password)
        // stays referenced while the connection lives on.
        (string User, ChatConnectionFeature Resume, IDisposable Slot)? result;
        using (place)
        {
            result = await login.LoginAsync(socket, context);
        }

        if (result is not { } loggedIn)
        {
            return;
        }

        using (loggedIn.Slot)
        {
            var queue = outboxes.Create();
            var pump = new RawSocketPump(socket, context, loggedIn.User, loggedIn.Resume, options.Value.MaxFrameBytes, inputPipe, queue, logger);
            await pump.RunAsync(hub, timeouts, budget, lifetime.ApplicationStopping);
        }
    }

    private static async Task<WebSocket> AcceptAsync(HttpContext context, IDisposable place)
    {
        try
        {
            return await context.WebSockets.AcceptWebSocketAsync();
        }
        catch
        {
            place.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Client → hub: small, so a client that sends faster than the hub handles is held back by TCP. Its segments come
    /// from Kestrel's pinned-block pool, which grows to demand and trims itself. (Hub → client has no pipe: see
    /// <see cref="RawOutput"/> and <see cref="Outbox"/>.)
    /// </summary>
    private static PipeOptions CreateInputPipe(MemoryPool<byte> pool, ChatterOptions settings)
        => new(pool, pauseWriterThreshold: 4L * settings.MaxFrameBytes, resumeWriterThreshold: 2L * settings.MaxFrameBytes, useSynchronizationContext: false);
}
