using System.Net;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// HTTP and WebSocket clients that connect from a chosen loopback address (127.0.0.2, 127.0.0.3, …), so a test
/// can be several remote addresses at once, as the server sees them.
/// </summary>
public static class LoopbackSource
{
    /// <summary>127.0.0.<paramref name="n"/>.</summary>
    public static IPAddress Address(int n) => new([127, 0, 0, (byte)n]);

    /// <summary>A handler whose connections leave from <paramref name="local"/>.</summary>
    public static SocketsHttpHandler Handler(IPAddress local) => Chatter.Bench.Clients.LoopbackHandler.From(local);

    /// <summary>A raw client connected (not logged in) from 127.0.0.<paramref name="n"/>.</summary>
    public static async Task<RawChatClient> ConnectRawFromAsync(this ChatterServer server, int n, CancellationToken cancellationToken = default)
    {
        // The invoker is not disposed here: it would take the upgraded connection with it.
        var invoker = new HttpMessageInvoker(Handler(Address(n)));
        return await RawChatClient.ConnectAsync(server.WsUri, invoker, configure: null, cancellationToken);
    }

    /// <summary>An HTTP client for <paramref name="server"/> whose requests come from 127.0.0.<paramref name="n"/>.</summary>
    public static HttpClient HttpFrom(this ChatterServer server, int n)
        => new(Handler(Address(n))) { BaseAddress = server.HttpUri };
}
