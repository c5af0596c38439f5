using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// A plain <see cref="ClientWebSocket"/> speaking SignalR's JSON hub protocol to <c>/hubs/chat</c> by hand: the token
/// in the <c>access_token</c> query (as browsers send it), the handshake, then records ending in 0x1E, any bytes the
/// test likes. A background loop splits what the server sends into records; pings are dropped.
/// </summary>
internal sealed class HubJsonSocket : IAsyncDisposable
{
    /// <summary>The record separator of SignalR's text protocols.</summary>
    public const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket socket;
    private readonly Channel<string> records = Channel.CreateUnbounded<string>();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Task receiving;

    private HubJsonSocket(ClientWebSocket socket)
    {
        this.socket = socket;
        receiving = ReceiveLoopAsync();
    }

    /// <summary>How the server ended the socket, once it has: its close status, or null for an abort.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>True once the server closed or aborted the socket.</summary>
    public bool Ended => receiving.IsCompleted;

    /// <summary>The <c>ws://</c> address of <paramref name="hubUri"/> with <paramref name="token"/> in <c>access_token</c>.</summary>
    public static Uri AddressOf(Uri hubUri, string token)
        => new UriBuilder(hubUri) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;

    /// <summary>Connects with <paramref name="token"/> and completes the JSON protocol handshake.</summary>
    public static async Task<HubJsonSocket> ConnectAsync(Uri hubUri, string token, CancellationToken cancellationToken)
    {
        var client = await ConnectWithoutHandshakeAsync(hubUri, token, cancellationToken);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator, cancellationToken);
        Assert.That(await client.ReceiveAsync(cancellationToken), Is.EqualTo("{}"), "handshake response");
        return client;
    }

    /// <summary>Connects with <paramref name="token"/>; the handshake is the caller's.</summary>
    public static async Task<HubJsonSocket> ConnectWithoutHandshakeAsync(Uri hubUri, string token, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(AddressOf(hubUri, token), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new HubJsonSocket(socket);
    }

    /// <summary>Sends <paramref name="text"/> as one text message, exactly as given (add the separator yourself).</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken)
        => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken cancellationToken)
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

    /// <summary>An invocation of <paramref name="target"/> with the given JSON argument list, answered by a completion.</summary>
    public Task InvokeAsync(string invocationId, string target, string argumentsJson, CancellationToken cancellationToken)
        => SendAsync($"{{\"type\":1,\"invocationId\":\"{invocationId}\",\"target\":\"{target}\",\"arguments\":{argumentsJson}}}{RecordSeparator}", cancellationToken);

    /// <summary>The next record (without its separator), or null once the socket has ended; a <see cref="TimeoutException"/> after the timeout.</summary>
    public async Task<string?> ReceiveAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        try
        {
            return await records.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout ?? RawChatClient.DefaultTimeout, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>The completion of <paramref name="invocationId"/>, skipping other records; null when the socket ended first.</summary>
    public async Task<JsonElement?> ReceiveCompletionAsync(string invocationId, CancellationToken cancellationToken)
    {
        while (await ReceiveAsync(cancellationToken) is { } record)
        {
            using var document = JsonDocument.Parse(record);
            var root = document.RootElement;
            if (root.GetProperty("type").GetInt32() == 3 && root.GetProperty("invocationId").GetString() == invocationId)
            {
                return root.Clone();
            }
        }

        return null;
    }

    /// <summary>Waits (bounded) until the server has ended the socket; the records it sent before, in order.</summary>
    public async Task<IReadOnlyList<string>> ReceiveUntilEndedAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var before = new List<string>();
        while (await ReceiveAsync(cancellationToken, timeout) is { } record)
        {
            before.Add(record);
        }

        return before;
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(RawChatClient.DefaultTimeout);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone: disposing is all that is left.
            }
        }

        try
        {
            await receiving.WaitAsync(RawChatClient.DefaultTimeout);
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
        var buffer = new byte[64 * 1024];
        var pending = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = socket.CloseStatus;
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    return;
                }

                pending.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var text = Encoding.UTF8.GetString(pending.WrittenSpan);
                pending.ResetWrittenCount();
                foreach (var record in text.Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    // Pings ({"type":6}) come whenever the server likes; no test waits for one.
                    if (record != "{\"type\":6}")
                    {
                        records.Writer.TryWrite(record);
                    }
                }
            }
        }
        catch (WebSocketException)
        {
            // Aborted by the server: CloseStatus stays null.
        }
        finally
        {
            records.Writer.TryComplete();
        }
    }
}
