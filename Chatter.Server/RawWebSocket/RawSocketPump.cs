using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Log = Chatter.Server.RawWebSocket.RawWebSocketLog;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// Runs a logged-in raw client as a hub connection: <see cref="HubConnectionHandler{THub}"/> over an in-process
/// connection (two pipes), a receive loop feeding it the client's messages and a send loop writing its frames
/// to the socket, the only writer of the socket. When one loop ends the other gets <see cref="CloseTimeout"/>,
/// then the socket is aborted.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The connection context has nothing to dispose (see RawConnectionContext).")]
internal sealed class RawSocketPump
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes($"{{\"protocol\":\"{RawHubProtocol.ProtocolName}\",\"version\":1}}\u001e");

    private readonly WebSocket socket;
    private readonly RawConnectionContext connection;
    private readonly DuplexPipe application;
    private readonly int maxFrameBytes;
    private readonly ILogger logger;
    private readonly string? user;
    private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NormalClosure;
    private string closeDescription = "";
    private volatile bool ending;

    public RawSocketPump(WebSocket socket, HttpContext upgrade, string user, long? since, int maxFrameBytes, PipeOptions inputPipe, PipeOptions outputPipe, ILogger logger)
    {
        this.socket = socket;
        this.maxFrameBytes = maxFrameBytes;
        this.logger = logger;
        this.user = user;

        var input = new Pipe(inputPipe);
        var output = new Pipe(outputPipe);
        application = new DuplexPipe(output.Reader, input.Writer);
        connection = new RawConnectionContext(upgrade, new DuplexPipe(input.Reader, output.Writer), Authentication.UserDirectory.CreatePrincipal(user, "chatter-raw"), new ChatConnectionFeature("raw", since));
    }

    /// <summary>Runs until the client or the hub ends the connection, or <paramref name="stopping"/> fires (close 1001).</summary>
    public async Task RunAsync(HubConnectionHandler<ChatHub> handler, CancellationToken stopping)
    {
        await application.Output.WriteAsync(Handshake, CancellationToken.None);
        var hub = RunHubAsync(handler);
        var sending = SendLoopAsync();
        var receiving = ReceiveLoopAsync();

        // The hub aborts the transport (a slow consumer, see DeliveryContext) while its own writes wait on a
        // full pipe: it cannot end until the socket does, so the socket must not wait for it.
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (connection.ConnectionClosed.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), aborted))
        await using (stopping.Register(static state => ((RawSocketPump)state!).EndHub(WebSocketCloseStatus.EndpointUnavailable, "server shutting down"), this))
        {
            var first = await Task.WhenAny(receiving, sending, hub, aborted.Task);
            if (first == aborted.Task && !ending)
            {
                EndHub(WebSocketCloseStatus.PolicyViolation, "closed by the server");
            }
            else if (first != receiving)
            {
                // The hub or the socket ended first: end the other side too. When the client closed instead, the
                // hub first handles what the client sent before its close, then ends on the finished input.
                EndHub(closeStatus, closeDescription);
            }

            // The send loop sends the close frame once the hub's output completes; a client that does not read
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
                    closeStatus = WebSocketCloseStatus.MessageTooBig;
                    closeDescription = "message too big";
                    break;
                }

                RawHubProtocol.WriteInboundFrame(kind == WebSocketMessageKind.Text ? RawHubProtocol.TextFrame : RawHubProtocol.BinaryFrame, reader.Message.Span, application.Output);
                var flushed = await application.Output.FlushAsync(CancellationToken.None);
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
            await application.Output.CompleteAsync();
        }
    }

    private async Task SendLoopAsync()
    {
        var handshakeDone = false;
        try
        {
            while (true)
            {
                var result = await application.Input.ReadAsync(CancellationToken.None);
                var buffer = result.Buffer;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    if (!handshakeDone)
                    {
                        handshakeDone = true;
                        if (frame.Length != 2)
                        {
                            Log.HandshakeRefused(logger, connection.ConnectionId, Encoding.UTF8.GetString(frame));
                            closeStatus = WebSocketCloseStatus.InternalServerError;
                            closeDescription = "server error";
                            return;
                        }

                        continue;
                    }

                    await SendAsync(frame);
                }

                application.Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.SocketEnded(logger, connection.ConnectionId, "send ended", ex);
            return;
        }
        finally
        {
            await application.Input.CompleteAsync();
        }

        await CloseOutputAsync();
    }

    private async Task CloseOutputAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(closeStatus, closeDescription, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                Log.SocketEnded(logger, connection.ConnectionId, "close failed", ex);
            }
        }
    }

    private ValueTask SendAsync(ReadOnlySequence<byte> frame)
    {
        if (frame.IsSingleSegment)
        {
            return socket.SendAsync(frame.First, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        return SendPooledAsync(frame);
    }

    private async ValueTask SendPooledAsync(ReadOnlySequence<byte> frame)
    {
        var length = (int)frame.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            await socket.SendAsync(rented.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        if (buffer.PositionOf(RawHubProtocol.RecordSeparator) is not { } end)
        {
            frame = default;
            return false;
        }

        frame = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        return true;
    }

    /// <summary>Ends the hub's side of the in-process connection; the socket is then closed with the given status.</summary>
    private void EndHub(WebSocketCloseStatus status, string description)
    {
        ending = true;
        closeStatus = status;
        closeDescription = description;
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

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
