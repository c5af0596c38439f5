using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Log = Chatter.Server.RawWebSocket.RawWebSocketLog;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// Runs a logged-in raw client as a hub connection: <see cref="HubConnectionHandler{THub}"/> over an in-process
/// connection, a receive loop feeding it the client's messages (through a small pipe, so a client that sends faster than
/// the hub handles is held back by TCP), and a writer loop, the socket's only writer, sending what the connection's
/// <see cref="Outbox"/> holds (broadcasts, the replay and the hub's answers) straight to the socket. When one side
/// ends, the other gets <see cref="CloseTimeout"/>, then the socket is aborted. Why the socket is closed is kept in one
/// place (<see cref="RawClose"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The connection context has nothing to dispose (see RawConnectionContext).")]
internal sealed class RawSocketPump : IRevocableConnection
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes($"{{\"protocol\":\"{RawHubProtocol.ProtocolName}\",\"version\":1}}\u001e");

    private readonly WebSocket socket;
    private readonly RawConnectionContext connection;
    private readonly PipeWriter input;
    private readonly Outbox queue;
    private readonly int maxFrameBytes;
    private readonly ILogger logger;
    private readonly string user;
    private readonly RawClose close = new();
    private Farewell? farewell;

    public RawSocketPump(WebSocket socket, HttpContext upgrade, string user, ChatConnectionFeature resume, int maxFrameBytes, PipeOptions inputPipe, Outbox queue, ILogger logger)
    {
        this.socket = socket;
        this.maxFrameBytes = maxFrameBytes;
        this.logger = logger;
        this.user = user;
        this.queue = queue;

        var pipe = new Pipe(inputPipe);
        input = pipe.Writer;
        var output = new RawOutput(queue, full: () => EndHub(WebSocketCloseStatus.PolicyViolation, "closed by the server"), handshakeRefused: HandshakeRefused);
        connection = new RawConnectionContext(upgrade, new DuplexPipe(pipe.Reader, output), UserDirectory.CreatePrincipal(user, "chatter-raw"), resume, queue, this);
    }

    /// <summary>Runs until the client or the hub ends the connection, or <paramref name="stopping"/> fires (close 1001).</summary>
    public async Task RunAsync(HubConnectionHandler<ChatHub> handler, SendTimeouts timeouts, OutboundBudget budget, CancellationToken stopping)
    {
        await input.WriteAsync(Handshake, CancellationToken.None);
        var hub = RunHubAsync(handler);
        var sending = SendLoopAsync();
        var receiving = ReceiveLoopAsync();

        // The hub aborts the transport (a slow consumer, a stuck send) while the client may still be connected: the
        // socket must then end without waiting for the hub.
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (timeouts.Watch(queue, connection.ConnectionId, user, Abort))
        using (budget.Register(queue, connection.ConnectionId, user, () => EndHub(WebSocketCloseStatus.PolicyViolation, "slow consumer")))
        await using (connection.ConnectionClosed.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), aborted))
        await using (stopping.Register(static state => ((RawSocketPump)state!).EndHub(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"), this))
        {
            var first = await Task.WhenAny(receiving, sending, hub, aborted.Task);
            if (first == aborted.Task)
            {
                EndHub(WebSocketCloseStatus.PolicyViolation, "closed by the server");
            }
            else if (first != receiving)
            {
                // The hub or the socket ended first: end the other side too. When the client closed instead, the
                // hub first handles what the client sent before its close, then ends on the finished input.
                connection.Abort();
            }

            // The writer loop sends the close frame once the hub's output completes; a client that does not read
            // (or does not answer the close) has CloseTimeout before its socket is aborted.
            await WaitOrAbortAsync(Task.WhenAll(sending, receiving));
            await hub;
        }
    }

    private async Task RunHubAsync(HubConnectionHandler<ChatHub> handler)
    {
        try
        {
            await handler.OnConnectedAsync(connection);
        }
        catch (Exception ex)
        {
            // The connection boundary: whatever failed, the client gets 1011 and the node goes on.
            Log.HubFailed(logger, user, connection.ConnectionId, ex);
            close.TrySet(WebSocketCloseStatus.InternalServerError, "server error");
        }
        finally
        {
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        using var reader = new WebSocketMessageReader(socket, maxFrameBytes);
        try
        {
            while (true)
            {
                var kind = await reader.ReadAsync(CancellationToken.None);
                if (kind == WebSocketMessageKind.Close)
                {
                    break;
                }

                if (kind == WebSocketMessageKind.TooLarge)
                {
                    Log.FrameTooLarge(logger, user, connection.ConnectionId, maxFrameBytes);
                    close.TrySet(WebSocketCloseStatus.MessageTooBig, "message too big");
                    break;
                }

                RawFrameBatcher.WriteInboundFrame(kind == WebSocketMessageKind.Text ? RawFrameBatcher.TextFrame : RawFrameBatcher.BinaryFrame, reader.Message.Span, input);
                var flushed = await input.FlushAsync(CancellationToken.None);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer vanished or the socket was aborted at the end: an ordinary way for a connection to end.
            Log.SocketEnded(logger, connection.ConnectionId, "receive ended", ex);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>The socket's one writer: every frame of the queue, in order, then the close frame.</summary>
    private async Task SendLoopAsync()
    {
        try
        {
            while (await queue.WaitToReadAsync())
            {
                while (queue.TryRead(out var item))
                {
                    try
                    {
                        await SendRecordsAsync(item.Bytes);
                    }
                    finally
                    {
                        queue.Sent(item);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.SocketEnded(logger, connection.ConnectionId, "send ended", ex);
            queue.Discard();
            return;
        }

        if (Volatile.Read(ref farewell) is { } last && !await TrySendLastAsync(last.Frame))
        {
            return;
        }

        await CloseOutputAsync();
    }

    private async ValueTask SendRecordsAsync(ReadOnlyMemory<byte> records)
    {
        while (RawOutboundFrames.TryRead(ref records, out var tag, out var payload))
        {
            if (tag == RawOutboundFrames.ServerError)
            {
                close.TrySet(WebSocketCloseStatus.InternalServerError, "server error");
                continue;
            }

            var send = socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            if (!send.IsCompletedSuccessfully)
            {
                queue.SendStarted();
                await send;
            }
        }
    }

    /// <summary>Sends the revocation's frame once the queue is done; false when the socket is gone.</summary>
    private async Task<bool> TrySendLastAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.SocketEnded(logger, connection.ConnectionId, "send ended", ex);
            return false;
        }
    }

    private async Task CloseOutputAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(close.Status, close.Description, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                Log.SocketEnded(logger, connection.ConnectionId, "close failed", ex);
            }
        }
    }

    private void HandshakeRefused(string answer)
    {
        Log.HandshakeRefused(logger, connection.ConnectionId, answer);
        EndHub(WebSocketCloseStatus.InternalServerError, "server error");
    }

    /// <summary>Ends the hub's side of the in-process connection; the socket is then closed with the given status (unless one was set before).</summary>
    private void EndHub(WebSocketCloseStatus status, string description)
    {
        close.TrySet(status, description);
        connection.Abort();
    }

    /// <summary>
    /// The user was removed from <c>users.json</c>, its password changed, or it was kicked: the hub's side ends, and
    /// the reason's frame (<c>{"error": "invalid credentials"}</c>, <c>{"error": "kicked"}</c>) is the last frame the
    /// socket sends, after whatever the hub wrote until it ended (an admin's ack of their own kick among them), then the
    /// socket is closed with 1008. Once: a second call (a kick seen locally and again from Redis) does nothing.
    /// </summary>
    public void Revoke(string reason)
    {
        if (Interlocked.CompareExchange(ref farewell, new Farewell(FrameWriter.Refusal(reason)), null) is null)
        {
            EndHub(WebSocketCloseStatus.PolicyViolation, reason);
        }
    }

    /// <summary>A stuck send: the socket is aborted at once (no close frame could get through).</summary>
    private void Abort()
    {
        close.TrySet(WebSocketCloseStatus.PolicyViolation, "send timed out");
        socket.Abort();
        connection.Abort();
    }

    private async Task WaitOrAbortAsync(Task loop)
    {
        try
        {
            await loop.WaitAsync(CloseTimeout);
        }
        catch (TimeoutException)
        {
            socket.Abort();
            await loop;
        }
    }

    /// <summary>The frame a revoked connection sends last.</summary>
    private sealed record Farewell(ReadOnlyMemory<byte> Frame);

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
