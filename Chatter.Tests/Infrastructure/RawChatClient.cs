using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Chatter.Tests.Infrastructure;

/// <summary>One frame as a raw client received it: text, or the server's close.</summary>
public sealed record RawFrame(string? Text, WebSocketCloseStatus? CloseStatus, string? CloseDescription)
{
    public bool IsClose => Text is null;

    public JsonElement Json => JsonDocument.Parse(Text!).RootElement;
}

/// <summary>
/// A plain <see cref="ClientWebSocket"/> client of <c>/ws/chat</c>. A background loop reads every frame into a
/// channel; tests await frames with a bounded timeout, never a sleep.
/// </summary>
public sealed class RawChatClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly ClientWebSocket socket;
    private readonly Channel<RawFrame> frames = Channel.CreateUnbounded<RawFrame>();
    private readonly Task receiving;
    private readonly SemaphoreSlim sendLock = new(1, 1);

    private RawChatClient(ClientWebSocket socket)
    {
        this.socket = socket;
        receiving = ReceiveLoopAsync();
    }

    public WebSocket Socket => socket;

    public static Task<RawChatClient> ConnectAsync(Uri uri, CancellationToken cancellationToken = default)
        => ConnectAsync(uri, invoker: null, configure: null, cancellationToken);

    /// <summary>Connects through <paramref name="invoker"/> (e.g. from another loopback address, or over TLS) with options set by <paramref name="configure"/>.</summary>
    public static async Task<RawChatClient> ConnectAsync(Uri uri, HttpMessageInvoker? invoker, Action<ClientWebSocketOptions>? configure, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawChatClient(socket);
    }

    public Task LoginAsync(string user, string password, long? since = null, CancellationToken cancellationToken = default)
        => since is null
            ? SendJsonAsync(new { username = user, password }, cancellationToken)
            : SendJsonAsync(new { username = user, password, since }, cancellationToken);

    /// <summary>Sends a chat frame; <paramref name="reference"/> becomes <c>ref</c>.</summary>
    public Task SendChatAsync(string thread, string message, string? reference = null, CancellationToken cancellationToken = default)
        => reference is null
            ? SendJsonAsync(new { thread, message }, cancellationToken)
            : SendJsonAsync(new { thread, message, @ref = reference }, cancellationToken);

    public Task SendJsonAsync(object value, CancellationToken cancellationToken = default)
        => SendTextAsync(JsonSerializer.Serialize(value), cancellationToken);

    public Task SendTextAsync(string text, CancellationToken cancellationToken = default)
        => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken cancellationToken = default)
    {
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>The next frame, or a <see cref="TimeoutException"/>.</summary>
    public async Task<RawFrame> ReceiveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => await frames.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout ?? DefaultTimeout, cancellationToken);

    /// <summary>The next frame, which must be text.</summary>
    public async Task<string> ReceiveTextAsync(CancellationToken cancellationToken = default)
    {
        var frame = await ReceiveAsync(cancellationToken: cancellationToken);
        Assert.That(frame.IsClose, Is.False, $"expected a text frame, got close {frame.CloseStatus} {frame.CloseDescription}");
        return frame.Text!;
    }

    public async Task<JsonElement> ReceiveJsonAsync(CancellationToken cancellationToken = default)
        => JsonDocument.Parse(await ReceiveTextAsync(cancellationToken)).RootElement;

    /// <summary>Frames until the close; the close's status.</summary>
    public async Task<(WebSocketCloseStatus? Status, IReadOnlyList<string> Before)> ReceiveCloseAsync(CancellationToken cancellationToken = default)
    {
        var before = new List<string>();
        while (true)
        {
            var frame = await ReceiveAsync(cancellationToken: cancellationToken);
            if (frame.IsClose)
            {
                return (frame.CloseStatus, before);
            }

            before.Add(frame.Text!);
        }
    }

    /// <summary>True when no frame is waiting now (only meaningful after a later frame proved the earlier ones arrived).</summary>
    public bool HasNoPendingFrame => !frames.Reader.TryPeek(out _);

    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(DefaultTimeout);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (WebSocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        try
        {
            await receiving.WaitAsync(DefaultTimeout);
        }
        catch (TimeoutException)
        {
            socket.Abort();
        }

        socket.Dispose();
        sendLock.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None) is var r
                        ? new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage, socket.CloseStatus, socket.CloseStatusDescription)
                        : throw new InvalidOperationException();
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    frames.Writer.TryWrite(new RawFrame(null, socket.CloseStatus, socket.CloseStatusDescription));
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    break;
                }

                frames.Writer.TryWrite(new RawFrame(Encoding.UTF8.GetString(buffer, 0, length), null, null));
            }
        }
        catch (WebSocketException)
        {
            frames.Writer.TryWrite(new RawFrame(null, null, "aborted"));
        }
        finally
        {
            frames.Writer.TryComplete();
        }
    }
}
