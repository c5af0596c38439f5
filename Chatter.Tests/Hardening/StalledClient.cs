using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chatter.Tests.Hardening;

/// <summary>
/// A WebSocket client that logs in and then stops reading. Its socket's receive buffer is fixed at
/// <see cref="ReceiveBufferBytes"/> (the kernel doubles it and stops tuning it), so what the network can absorb
/// for it is small and known, and the server's own bound is what stops the flood towards it.
/// </summary>
internal sealed class StalledClient : IAsyncDisposable
{
    /// <summary>The client socket's <c>SO_RCVBUF</c>.</summary>
    public const int ReceiveBufferBytes = 16 * 1024;

    private readonly ClientWebSocket socket;
    private readonly HttpMessageInvoker invoker;

    private StalledClient(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        this.socket = socket;
        this.invoker = invoker;
    }

    /// <summary>A raw <c>/ws/chat</c> client, logged in (its <c>{"auth": "ok"}</c> read), that reads nothing more.</summary>
    public static async Task<StalledClient> LoginRawAsync(Uri wsUri, string user, string password, CancellationToken cancellationToken, int version = 1)
    {
        var client = await ConnectAsync(wsUri, cancellationToken);
        await client.SendAsync(version == 1 ? JsonSerializer.Serialize(new { username = user, password }) : JsonSerializer.Serialize(new { username = user, password, v = version }), cancellationToken);
        Assert.That(await client.ReceiveAsync(cancellationToken), Is.EqualTo("{\"auth\": \"ok\"}"), $"login of {user}");
        return client;
    }

    /// <summary>
    /// A SignalR client of <paramref name="hubUri"/> speaking the JSON hub protocol over a plain WebSocket (the token in
    /// <c>access_token</c>, as browsers send it), its handshake answered, that reads nothing more.
    /// </summary>
    public static async Task<StalledClient> ConnectHubAsync(Uri hubUri, string token, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(hubUri) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
        var client = await ConnectAsync(uri, cancellationToken);
        await client.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e", cancellationToken);
        Assert.That(await client.ReceiveAsync(cancellationToken), Is.EqualTo("{}\u001e"), "handshake response");
        return client;
    }

    /// <summary>Starts reading again: every text frame until (and with) the first that <paramref name="last"/> accepts.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> last, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        do
        {
            texts.Add(await ReceiveAsync(cancellationToken));
        }
        while (!last(texts[^1]));
        return texts;
    }

    /// <summary>
    /// Reads (and drops) whatever the socket still holds until it ends; true when the server ended it (a close
    /// frame or a reset), false when <paramref name="timeout"/> passed first.
    /// </summary>
    public async Task<bool> DrainUntilEndedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), limit.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            // The server aborted the connection: the end we are waiting for.
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        socket.Abort();
        socket.Dispose();
        invoker.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<StalledClient> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                // SO_RCVBUF before connect, so the window the client advertises is this small from the start.
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = ReceiveBufferBytes };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(tcp, ownsSocket: true);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            invoker.Dispose();
            throw;
        }

        return new StalledClient(socket, invoker);
    }

    private Task SendAsync(string text, CancellationToken cancellationToken)
        => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
