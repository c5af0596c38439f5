using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Diagnostics;
using Chatter.Server.Hosting;
using Chatter.Server.Limits;
using Microsoft.Extensions.Options;
using AuthLog = Chatter.Server.Authentication.AuthenticationLog;
using Log = Chatter.Server.RawWebSocket.RawWebSocketLog;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The original protocol's login exchange on <c>/ws/chat</c>: the first frame within the auth timeout, the throttle,
/// the password check, the user's connection slot, then <c>{"auth": "ok"}</c>; a refusal closes the socket.
/// </summary>
internal sealed class RawLogin(
    UserDirectory users,
    LoginThrottle throttle,
    ConnectionLimiter connections,
    ChatterMetrics metrics,
    IOptions<ChatterOptions> options,
    TimeProvider time,
    ILogger<RawChatEndpoint> logger)
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The login exchange: the user, the <c>since</c> of the login frame and the user's connection slot, once
    /// <c>{"auth": "ok"}</c> is sent; null when the login was refused (the socket is closed then) or the client left.
    /// </summary>
    public async Task<(string User, long? Since, IDisposable Slot)?> LoginAsync(WebSocket socket, HttpContext context)
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
