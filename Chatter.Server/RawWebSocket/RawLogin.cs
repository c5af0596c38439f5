using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Diagnostics;
using Chatter.Server.Configuration;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Microsoft.Extensions.Options;
using AuthLog = Chatter.Server.Authentication.AuthenticationLog;
using Log = Chatter.Server.RawWebSocket.RawWebSocketLog;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The original protocol's login exchange on <c>/ws/chat</c>: the first frame within the auth timeout, the credential
/// check (throttle, bounded password checks), the user's connection slot, then <c>{"auth": "ok"}</c>; a refusal closes
/// the socket. The whole exchange, the close included, has one deadline: <c>Chatter:AuthTimeoutSeconds</c> plus
/// <see cref="CloseTimeout"/> from the upgrade. Past it the socket is aborted, whatever the client sends or withholds.
/// </summary>
internal sealed class RawLogin(
    UserDirectory users,
    CredentialCheck credentials,
    ConnectionLimiter connections,
    ChatterMetrics metrics,
    IOptions<ChatterOptions> options,
    TimeProvider time,
    ILogger<RawChatEndpoint> logger)
{
    /// <summary>How long a client has to answer the server's close frame (and the most a refusal's close may take).</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>1013 Try Again Later: the server is too busy to check a password now.</summary>
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    /// <summary>
    /// The login exchange: the user, what the login frame asked for (<c>since</c>, <c>v</c>, <c>epoch</c>) and the user's
    /// connection slot, once <c>{"auth": "ok"}</c> is sent; null when the login was refused (the socket is closed then)
    /// or the client left.
    /// </summary>
    public async Task<(string User, ChatConnectionFeature Resume, IDisposable Slot)?> LoginAsync(WebSocket socket, HttpContext context)
    {
        var settings = options.Value;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(settings.AuthTimeoutSeconds) + CloseTimeout, time);
        var result = default((string, ChatConnectionFeature, IDisposable)?);
        await using (deadline.Token.Register(static state => ((WebSocket)state!).Abort(), socket))
        {
            try
            {
                result = await ExchangeAsync(socket, context, settings);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                Log.SocketEnded(logger, context.TraceIdentifier, "gone during login", ex);
            }
        }

        // The registration is gone: from here the deadline cannot abort the socket. Had it fired, the login did not finish.
        if (result is { } loggedIn && deadline.IsCancellationRequested)
        {
            loggedIn.Item3.Dispose();
            return null;
        }

        return result;
    }

    private async Task<(string, ChatConnectionFeature, IDisposable)?> ExchangeAsync(WebSocket socket, HttpContext context, ChatterOptions settings)
    {
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
            var malformed = await credentials.RefuseMalformedAsync(remote);
            await RefuseAsync(socket, null, remote, "not a login frame", FrameWriter.Refusal(malformed.Reason), WebSocketCloseStatus.PolicyViolation);
            return null;
        }

        if (await credentials.CheckAsync(remote, login.Username, login.Password) is { } refusal)
        {
            var status = refusal.Reason == FrameError.ServerBusy ? TryAgainLater : WebSocketCloseStatus.PolicyViolation;
            await RefuseAsync(socket, users.LoggableName(login.Username), remote, refusal.Reason, FrameWriter.Refusal(refusal.Reason), status);
            return null;
        }

        var slot = await connections.TryAcquireAsync(login.Username);
        if (slot is null)
        {
            await RefuseAsync(socket, login.Username, remote, FrameError.TooManyConnections, FrameWriter.Refusal(FrameError.TooManyConnections), WebSocketCloseStatus.PolicyViolation);
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

        return (login.Username, new ChatConnectionFeature("raw", login.Since, login.Version, login.Epoch), slot);
    }

    /// <summary>
    /// Refuses the login: the reply frame, then the close. <paramref name="user"/> is logged only when it names a real
    /// user (someone who typed a password into the name field does not get it written to the log).
    /// </summary>
    private async Task RefuseAsync(WebSocket socket, string? user, string? remote, string reason, ReadOnlyMemory<byte> reply, WebSocketCloseStatus status)
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

        await CloseAsync(socket, status, reason, pendingRead: null);
    }

    /// <summary>
    /// Sends a close frame and waits for the client's, at most <see cref="CloseTimeout"/> in all (one deadline, however
    /// many frames the client sends meanwhile); a client that does not answer is cut off.
    /// </summary>
    private async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, Task<WebSocketMessageKind>? pendingRead)
    {
        var closeBy = time.GetTimestamp();
        try
        {
            await socket.CloseOutputAsync(status, description, CancellationToken.None);
            if (socket.State == WebSocketState.CloseSent)
            {
                // Read until the client's close frame arrives; whatever else it sends now is dropped.
                using var drain = new WebSocketMessageReader(socket, options.Value.MaxFrameBytes);
                var closed = pendingRead ?? drain.ReadAsync(CancellationToken.None).AsTask();
                while (await closed.WaitAsync(Remaining(closeBy), time) is not (WebSocketMessageKind.Close or WebSocketMessageKind.TooLarge))
                {
                    closed = drain.ReadAsync(CancellationToken.None).AsTask();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            Log.SocketEnded(logger, "login", "close not answered", ex);
            socket.Abort();
        }
    }

    private TimeSpan Remaining(long closeStarted)
    {
        var left = CloseTimeout - time.GetElapsedTime(closeStarted);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
