using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chatter.Bench.Measurement;
using Chatter.Protocol;

namespace Chatter.Bench.Clients;

/// <summary>
/// A raw <c>/ws/chat</c> client on a bare <see cref="Socket"/> (the default, <c>--raw-client lean</c>): the WebSocket
/// upgrade written by hand, then one receive call takes in as many frames as the socket holds and they are parsed in
/// place. <see cref="System.Net.WebSockets.ClientWebSocket"/> (<c>--raw-client websocket</c>, <see cref="RawBenchClient"/>)
/// costs one async receive per frame, which made the bench use more CPU than the baseline server it measured. Client
/// frames are masked with a zero key (legal, and no proxy sits on loopback); pings are answered; fragments are joined.
/// </summary>
internal sealed class LeanRawClient : RawClientBase
{
    private const int BufferBytes = 16 * 1024;
    private const int MaxMessageBytes = LeanWebSocketFrames.MaxMessageBytes;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[] sendBuffer = new byte[512];
    private Task receiving = Task.CompletedTask;
    private int closeSent;

    private LeanRawClient(int index, Socket socket, RawFrameHandler frames)
        : base(index, frames)
        => this.socket = socket;

    /// <summary>Connects and logs in; returns once <c>{"auth": "ok"}</c> has arrived (the client is then in the broadcast).</summary>
    public static async Task<LeanRawClient> ConnectAsync(
        BenchTarget target, int index, KeyValuePair<string, string> user, DeliveryTracker tracker, string run, long? since, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            EndPoint endpoint = IPAddress.TryParse(target.WsUri.Host, out var address)
                ? new IPEndPoint(address, target.WsUri.Port)
                : new DnsEndPoint(target.WsUri.Host, target.WsUri.Port);
            await socket.ConnectAsync(endpoint, cancellationToken);
            var request = Encoding.ASCII.GetBytes(
                $"GET {target.WsUri.PathAndQuery} HTTP/1.1\r\nHost: {target.WsUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: Y2hhdHRlci1iZW5jaC0wMQ==\r\n\r\n");
            await socket.SendAsync(request, cancellationToken);

            var buffer = new byte[BufferBytes];
            var filled = 0;
            int headerEnd;
            while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                filled += received > 0 ? received : throw new BenchException($"upgrade of {user.Key}: the server closed the connection");
            }

            if (!buffer.AsSpan().StartsWith("HTTP/1.1 101"u8))
            {
                throw new BenchException($"upgrade of {user.Key} refused: {Encoding.ASCII.GetString(buffer, 0, headerEnd)}");
            }

            filled -= headerEnd + 4;
            buffer.AsSpan(headerEnd + 4, filled).CopyTo(buffer);
            var client = new LeanRawClient(index, socket, new RawFrameHandler(tracker, run));
            var login = new Dictionary<string, object> { ["username"] = user.Key, ["password"] = user.Value };
            if (since is { } s)
            {
                login["since"] = s;
            }

            await client.SendFrameAsync(0x81, JsonSerializer.SerializeToUtf8Bytes(login), cancellationToken);

            // The first frame must be the login's answer, byte for byte.
            LeanWebSocketFrames.Frame frame;
            while (!LeanWebSocketFrames.TryParse(buffer.AsSpan(0, filled), out frame))
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                filled += received > 0 ? received : throw new BenchException($"raw login of {user.Key}: the server closed the connection");
            }

            var answer = buffer.AsSpan(frame.PayloadStart, frame.PayloadLength);
            if (frame.Opcode != 0x1 || !answer.SequenceEqual(FrameWriter.AuthOk.Span))
            {
                throw new BenchException($"raw login of {user.Key} refused: {Encoding.UTF8.GetString(answer)}");
            }

            filled -= frame.Length;
            buffer.AsSpan(frame.Length, filled).CopyTo(buffer);
            client.receiving = client.ReceiveLoopAsync(buffer, filled);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken)
        => SendChatAsync(thread, text, reference: null, cancellationToken);

    public override ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken)
        => SendChatAsync(thread, text, reference, cancellationToken);

    public override async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendCloseAsync(cancellationToken);
            // The server answers with its close frame and ends the TCP connection; the receive loop then ends.
            await receiving.WaitAsync(CloseTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            // Gone already or too slow to close: DisposeAsync ends it.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        socket.Dispose();
        await receiving;
        sendLock.Dispose();
    }

    private async ValueTask SendChatAsync(string thread, string text, long? reference, CancellationToken cancellationToken)
    {
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            var needed = RawFrames.MaxChatLength(thread, text) + 14;
            if (sendBuffer.Length < needed)
            {
                sendBuffer = new byte[Math.Max(needed, sendBuffer.Length * 2)];
            }

            // Payload first at the widest header's offset, then the header just before it.
            var length = RawFrames.WriteChat(sendBuffer.AsSpan(14), thread, text, reference);
            var header = LeanWebSocketFrames.HeaderLength(length);
            LeanWebSocketFrames.WriteHeader(sendBuffer.AsSpan(14 - header, header), 0x81, length);
            await socket.SendAsync(sendBuffer.AsMemory(14 - header, header + length), cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Our close frame (1000), once.</summary>
    private ValueTask SendCloseAsync(CancellationToken cancellationToken)
        => Interlocked.Exchange(ref closeSent, 1) == 0 ? SendFrameAsync(0x88, [0x03, 0xE8], cancellationToken) : ValueTask.CompletedTask;

    private async ValueTask SendFrameAsync(byte first, byte[] payload, CancellationToken cancellationToken)
    {
        var header = LeanWebSocketFrames.HeaderLength(payload.Length);
        var frame = new byte[header + payload.Length];
        LeanWebSocketFrames.WriteHeader(frame, first, payload.Length);
        payload.CopyTo(frame, header);
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(frame, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(byte[] buffer, int filled)
    {
        ArrayBufferWriter<byte>? fragments = null;
        try
        {
            while (true)
            {
                var consumed = 0;
                while (LeanWebSocketFrames.TryParse(buffer.AsSpan(consumed, filled - consumed), out var frame))
                {
                    var payload = buffer.AsSpan(consumed + frame.PayloadStart, frame.PayloadLength);
                    switch (frame.Opcode)
                    {
                        case 0x8:
                            await SendCloseAsync(CancellationToken.None);
                            return;
                        case 0x9:
                            await SendFrameAsync(0x8A, payload.ToArray(), CancellationToken.None);
                            break;
                        case 0xA:
                            break;
                        default:
                            if (frame.Final && (fragments is null || fragments.WrittenCount == 0))
                            {
                                Frames.Handle(payload);
                            }
                            else
                            {
                                fragments ??= new ArrayBufferWriter<byte>(1024);
                                fragments.Write(payload);
                                if (frame.Final)
                                {
                                    Frames.Handle(fragments.WrittenSpan);
                                    fragments.ResetWrittenCount();
                                }
                            }

                            break;
                    }

                    consumed += frame.Length;
                }

                filled -= consumed;
                buffer.AsSpan(consumed, filled).CopyTo(buffer);
                if (filled == buffer.Length)
                {
                    // One frame larger than the buffer: grow it, within the bound.
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        throw new BenchException($"a frame over {MaxMessageBytes} bytes");
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var received = await socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (received == 0)
                {
                    return;
                }

                filled += received;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed, or the server dropped the connection: the counters tell what arrived.
        }
    }
}
