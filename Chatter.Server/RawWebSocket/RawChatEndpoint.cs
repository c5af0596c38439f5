using System.Buffers;
using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Hosting;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using AuthLog = Chatter.Server.Authentication.AuthenticationLog;
using Log = Chatter.Server.RawWebSocket.RawWebSocketLog;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// <c>/ws/chat</c>: the original protocol's login exchange, then the client joins the hub as an ordinary
/// connection (<see cref="RawSocketPump"/>). All chat logic is the hub's.
/// </summary>
internal sealed class RawChatEndpoint(
    HubConnectionHandler<ChatHub> hub,
    UserDirectory users,
    LoginThrottle throttle,
    ConnectionLimiter connections,
    ChatterMetrics metrics,
    IOptions<ChatterOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IMemoryPoolFactory<byte> memoryPools,
    ILogger<RawChatEndpoint> logger)
{
    /// <summary>Where raw clients connect: <c>/ws/chat</c>, the original's path.</summary>
    public const string Path = "/ws/chat";

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True for a request to <see cref="Path"/> (as a route would match it: any case, a trailing slash allowed).</summary>
    public static bool Handles(HttpContext context)
        => context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is null or "" or "/";

    /// <summary>The raw connections' pipe segments: Kestrel's pinned-block pool, which grows to demand and trims itself.</summary>
    private readonly MemoryPool<byte> pipePool = memoryPools.Create();

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("/ws/chat expects a WebSocket upgrade", context.RequestAborted);
            return;
        }

        var settings = options.Value;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var remote = context.Connection.RemoteIpAddress?.ToString();
        using var reader = new WebSocketMessageReader(socket, settings.MaxFrameBytes);

        var read = reader.ReadAsync(CancellationToken.None).AsTask();
        WebSocketMessageKind kind;
        try
        {
            kind = await read.WaitAsync(TimeSpan.FromSeconds(settings.AuthTimeoutSeconds), time);
        }
        catch (TimeoutException)
        {
            Log.AuthTimeout(logger, remote, settings.AuthTimeoutSeconds, context.TraceIdentifier);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "authentication timeout", read);
            return;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            Log.SocketEnded(logger, context.TraceIdentifier, "gone before login", ex);
            return;
        }

        if (kind == WebSocketMessageKind.Close)
        {
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "", pendingRead: null);
            return;
        }

        if (kind == WebSocketMessageKind.TooLarge)
        {
            Log.FrameTooLarge(logger, null, context.TraceIdentifier, settings.MaxFrameBytes);
            await CloseAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too big", pendingRead: null);
            return;
        }

        if (kind != WebSocketMessageKind.Text || !FrameReader.TryReadLogin(reader.Message.Span, out var login))
        {
            throttle.Failed(remote, user: null);
            await RefuseAsync(socket, null, remote, "not a login frame", FrameWriter.InvalidCredentials);
            return;
        }

        if (throttle.Check(remote, login.Username) is not null)
        {
            // Refused before the password is checked: a guess past the limit costs no hashing and tells nothing.
            await RefuseAsync(socket, users.LoggableName(login.Username), remote, FrameError.TooManyAttempts, FrameWriter.TooManyAttempts);
            return;
        }

        if (!users.Verify(login.Username, login.Password))
        {
            throttle.Failed(remote, login.Username);
            await RefuseAsync(socket, users.LoggableName(login.Username), remote, FrameError.InvalidCredentials, FrameWriter.InvalidCredentials);
            return;
        }

        using var slot = connections.TryAcquire(login.Username);
        if (slot is null)
        {
            await RefuseAsync(socket, login.Username, remote, FrameError.TooManyConnections, FrameWriter.TooManyConnections);
            return;
        }

        AuthLog.LoginOk(logger, login.Username, remote, "raw");
        metrics.LoginOk("raw");
        await socket.SendAsync(FrameWriter.AuthOk, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        reader.Dispose();

        var pump = new RawSocketPump(socket, context, login.Username, login.Since, settings.MaxFrameBytes, settings.Limits.OutboundBufferBytes, pipePool, logger);
        await pump.RunAsync(hub, lifetime.ApplicationStopping);
    }

    /// <summary>
    /// Refuses the login: the reply frame, then close 1008. <paramref name="user"/> is logged only when it names a real
    /// user (someone who typed a password into the name field does not get it written to the log).
    /// </summary>
    private async Task RefuseAsync(WebSocket socket, string? user, string? remote, string reason, ReadOnlyMemory<byte> reply)
    {
        AuthLog.LoginRefused(logger, user, remote, "raw", reason);
        metrics.LoginRefused("raw", reason);
        try
        {
            await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (WebSocketException ex)
        {
            Log.SocketEnded(logger, "login", "gone before the refusal", ex);
            return;
        }

        await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, reason, pendingRead: null);
    }

    /// <summary>Sends a close frame and waits (bounded) for the client's; a client that does not answer is cut off.</summary>
    private async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, Task<WebSocketMessageKind>? pendingRead)
    {
        try
        {
            await socket.CloseOutputAsync(status, description, CancellationToken.None);
            if (socket.State == WebSocketState.CloseSent)
            {
                // Read until the client's close frame arrives; whatever else it sends now is dropped.
                using var drain = new WebSocketMessageReader(socket, options.Value.MaxFrameBytes);
                var closed = pendingRead ?? drain.ReadAsync(CancellationToken.None).AsTask();
                while (await closed.WaitAsync(CloseTimeout, time) is not (WebSocketMessageKind.Close or WebSocketMessageKind.TooLarge))
                {
                    closed = drain.ReadAsync(CancellationToken.None).AsTask();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException)
        {
            Log.SocketEnded(logger, "login", "close not answered", ex);
            socket.Abort();
        }
    }
}
