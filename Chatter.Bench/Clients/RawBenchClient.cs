using System.Buffers.Text;
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
internal sealed class RawBenchClient : IBenchClient
{
    private const int InitialBufferBytes = 4 * 1024;
    private const int MaxFrameBytes = 1024 * 1024;

    // One handler for every upgrade request of the process: a handler per connection would cost more than the
    // login being measured. WebSocket connections are never pooled, so sharing it changes nothing on the wire.
    private static readonly HttpMessageInvoker Upgrades = new(new SocketsHttpHandler { UseCookies = false, UseProxy = false });

    private readonly ClientWebSocket socket;
    private readonly byte[] run;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[] sendBuffer = new byte[512];
    private Task receiving = Task.CompletedTask;
    private long errors;

    private RawBenchClient(int index, ClientWebSocket socket, DeliveryTracker tracker, byte[] run)
    {
        Index = index;
        this.socket = socket;
        Tracker = tracker;
        this.run = run;
    }

    public int Index { get; }

    public string Transport => "raw";

    public DeliveryTracker Tracker { get; }

    public Action<long>? Acknowledged { get; set; }

    public long Errors => Volatile.Read(ref errors);

    public string? FirstError { get; private set; }

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

            var client = new RawBenchClient(index, socket, tracker, Encoding.ASCII.GetBytes(run));
            client.receiving = client.ReceiveLoopAsync();
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken)
        => SendFrameAsync(thread, text, reference: null, cancellationToken);

    public ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken)
        => SendFrameAsync(thread, text, reference, cancellationToken);

    public async Task CloseAsync(CancellationToken cancellationToken)
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

    public async ValueTask DisposeAsync()
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
            var needed = thread.Length + text.Length + 64;
            if (sendBuffer.Length < needed)
            {
                sendBuffer = new byte[Math.Max(needed, sendBuffer.Length * 2)];
            }

            // Bench threads and texts are ASCII letters, digits and '|' (see BenchMessage): no JSON escaping needed.
            var span = sendBuffer.AsSpan();
            var length = Append(span, "{\"thread\":\""u8);
            length += Encoding.ASCII.GetBytes(thread, span[length..]);
            length += Append(span[length..], "\",\"message\":\""u8);
            length += Encoding.ASCII.GetBytes(text, span[length..]);
            if (reference is { } r)
            {
                length += Append(span[length..], "\",\"ref\":\""u8);
                Utf8Formatter.TryFormat(r, span[length..], out var written);
                length += written;
            }

            length += Append(span[length..], "\"}"u8);
            await socket.SendAsync(sendBuffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
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

                OnFrame(buffer.AsSpan(0, filled));
                filled = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted by DisposeAsync, or the server dropped the connection: the counters tell what arrived.
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"ack\":\""u8))
        {
            if (TryReadReference(frame[8..], out var reference))
            {
                Acknowledged?.Invoke(reference);
            }

            return;
        }

        if (frame.StartsWith("{\"error\""u8))
        {
            Volatile.Write(ref errors, errors + 1);
            FirstError ??= Encoding.UTF8.GetString(frame);
            var at = frame.IndexOf("\"ref\":\""u8);
            if (at >= 0 && TryReadReference(frame[(at + 7)..], out var reference))
            {
                Acknowledged?.Invoke(reference);
            }

            return;
        }

        Tracker.Record(BenchMessage.MessageField(frame), run);
    }

    private static bool TryReadReference(ReadOnlySpan<byte> digits, out long reference)
        => Utf8Parser.TryParse(digits, out reference, out var consumed) && consumed < digits.Length && digits[consumed] == (byte)'"';
}
