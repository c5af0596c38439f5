using System.Buffers;
using System.IO.Pipelines;
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

    /// <summary>The raw connections' pipe options, one pair for all of them (see <see cref="CreatePipes"/>).</summary>
    private readonly (PipeOptions Input, PipeOptions Output) pipes = CreatePipes(memoryPools.Create(), options.Value);

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("/ws/chat expects a WebSocket upgrade", context.RequestAborted);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // The login exchange is a method of its own so that none of it (its reader, the login frame with the password)
        // stays referenced while the connection lives on.
        if (await LoginAsync(socket, context) is not { } login)
        {
            return;
        }

        using (login.Slot)
        {
            var pump = new RawSocketPump(socket, context, login.User, login.Since, options.Value.MaxFrameBytes, pipes.Input, pipes.Output, logger);
            await pump.RunAsync(hub, lifetime.ApplicationStopping);
        }
    }

    /// <summary>
    /// The login exchange: the user, the <c>since</c> of the login frame and the user's connection slot, once
    /// <c>{"auth": "ok"}</c> is sent; null when the login was refused (the socket is closed then) or the client left.
    /// </summary>
    private async Task<(string User, long? Since, IDisposable Slot)?> LoginAsync(WebSocket socket, HttpContext context)
    {
        var settings = options.Value;
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
            return null;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            Log.SocketEnded(logger, context.TraceIdentifier, "gone before login", ex);
            return null;
        }

        if (kind == WebSocketMessageKind.Close)
        {
            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "", pendingRead: null);
            return null;
        }

        if (kind == WebSocketMessageKind.TooLarge)
        {
            Log.FrameTooLarge(logger, null, context.TraceIdentifier, settings.MaxFrameBytes);
            await CloseAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too big", pendingRead: null);
            return null;
        }

        if (kind != WebSocketMessageKind.Text || !FrameReader.TryReadLogin(reader.Message.Span, out var login))
        {
            throttle.Failed(remote, user: null);
            await RefuseAsync(socket, null, remote, "not a login frame", FrameWriter.InvalidCredentials);
            return null;
        }

        if (throttle.Check(remote, login.Username) is not null)
        {
            // Refused before the password is checked: a guess past the limit costs no hashing and tells nothing.
            await RefuseAsync(socket, users.LoggableName(login.Username), remote, FrameError.TooManyAttempts, FrameWriter.TooManyAttempts);
            return null;
        }

        if (!users.Verify(login.Username, login.Password))
        {
            throttle.Failed(remote, login.Username);
            await RefuseAsync(socket, users.LoggableName(login.Username), remote, FrameError.InvalidCredentials, FrameWriter.InvalidCredentials);
            return null;
        }

        var slot = connections.TryAcquire(login.Username);
        if (slot is null)
        {
            await RefuseAsync(socket, login.Username, remote, FrameError.TooManyConnections, FrameWriter.TooManyConnections);
            return null;
        }

        AuthLog.LoginOk(logger, login.Username, remote, "raw");
        metrics.LoginOk("raw");
        try
        {
            await socket.SendAsync(FrameWriter.AuthOk, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        return (login.Username, login.Since, slot);
    }

    /// <summary>
    /// Client → hub: small, so a client that sends faster than the hub handles is held back by TCP. Hub → client:
    /// <c>Chatter:Limits:OutboundBufferBytes</c>; past it the connection's writes queue (see <see cref="DeliveryContext"/>).
    /// Both take their segments from Kestrel's pinned-block pool, which grows to demand and trims itself: the shared
    /// array pool keeps only a few arrays per core, so a broadcast to many connections would allocate a new segment
    /// for each of them.
    /// </summary>
    private static (PipeOptions Input, PipeOptions Output) CreatePipes(MemoryPool<byte> pool, ChatterOptions settings)
        => (new PipeOptions(pool, pauseWriterThreshold: 4L * settings.MaxFrameBytes, resumeWriterThreshold: 2L * settings.MaxFrameBytes, useSynchronizationContext: false),
            new PipeOptions(pool, pauseWriterThreshold: settings.Limits.OutboundBufferBytes, resumeWriterThreshold: settings.Limits.OutboundBufferBytes / 2, useSynchronizationContext: false));

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
