using System.Net.WebSockets;
using System.Text;
using Chatter.Bench.Measurement;
using Chatter.Protocol;

namespace Chatter.Bench.Clients;

/// <summary>
/// A <c>/ws/chat</c> client of the original protocol on <see cref="ClientWebSocket"/>: the login frame, then chat frames.
/// The receive loop reads frames straight from their bytes (acks, errors, and the <c>message</c> field of chat frames),
/// without building strings, so that the client stays cheaper than the server it measures.
/// </summary>
internal sealed class RawBenchClient : RawClientBase
{
    private const int InitialBufferBytes = 4 * 1024;
    private const int MaxFrameBytes = 1024 * 1024;

    // One handler for every upgrade request of the process: a handler per connection would cost more than the
    // login being measured. WebSocket connections are never pooled, so sharing it changes nothing on the wire.
    private static readonly HttpMessageInvoker Upgrades = new(new SocketsHttpHandler { UseCookies = false, UseProxy = false });

    private readonly ClientWebSocket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[] sendBuffer = new byte[512];
    private Task receiving = Task.CompletedTask;

    private RawBenchClient(int index, ClientWebSocket socket, RawFrameHandler frames)
        : base(index, frames)
        => this.socket = socket;

    /// <summary>Connects and logs in; returns once <c>{"auth": "ok"}</c> has arrived (the client is then in the broadcast).</summary>
    public static async Task<RawBenchClient> ConnectAsync(
        BenchTarget target, int index, KeyValuePair<string, string> user, DeliveryTracker tracker, string run, long? since, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // The server needs no pings from raw clients; pings would only add frames to the measurement.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(target.WsUri, Upgrades, cancellationToken);
            var login = since is null
                ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["username"] = user.Key, ["password"] = user.Value })
                : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["username"] = user.Key, ["password"] = user.Value, ["since"] = since.Value });
            await socket.SendAsync(login, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

            var buffer = new byte[256];
            var reply = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (reply.MessageType != WebSocketMessageType.Text || !reply.EndOfMessage || !buffer.AsSpan(0, reply.Count).SequenceEqual(FrameWriter.AuthOk.Span))
            {
                throw new BenchException($"raw login of {user.Key} refused: {Encoding.UTF8.GetString(buffer, 0, reply.Count)} (close status {socket.CloseStatus})");
            }

            var client = new RawBenchClient(index, socket, new RawFrameHandler(tracker, run));
            client.receiving = client.ReceiveLoopAsync();
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken)
        => SendFrameAsync(thread, text, reference: null, cancellationToken);

    public override ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken)
        => SendFrameAsync(thread, text, reference, cancellationToken);

    public override async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
            }

            await receiving.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The server went first or the close timed out: the socket is aborted on dispose either way.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        await receiving;
        sendLock.Dispose();
    }

    private async ValueTask SendFrameAsync(string thread, string text, long? reference, CancellationToken cancellationToken)
    {
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            var needed = RawFrames.MaxChatLength(thread, text);
            if (sendBuffer.Length < needed)
            {
                sendBuffer = new byte[Math.Max(needed, sendBuffer.Length * 2)];
            }

            var length = RawFrames.WriteChat(sendBuffer, thread, text, reference);
            await socket.SendAsync(sendBuffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[InitialBufferBytes];
        var filled = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    return;
                }

                filled += result.Count;
                if (!result.EndOfMessage)
                {
                    if (filled == buffer.Length)
                    {
                        if (buffer.Length >= MaxFrameBytes)
                        {
                            throw new BenchException($"a frame over {MaxFrameBytes} bytes");
                        }

                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    continue;
                }

                Frames.Handle(buffer.AsSpan(0, filled));
                filled = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted by DisposeAsync, or the server dropped the connection: the counters tell what arrived.
        }
    }
}
