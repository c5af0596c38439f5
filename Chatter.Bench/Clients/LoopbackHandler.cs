using System.Net;
using System.Net.Sockets;

namespace Chatter.Bench.Clients;

/// <summary>HTTP and WebSocket connections that leave from a chosen local address (127.0.0.2, 127.0.0.3, …), so one process can be many remote addresses.</summary>
internal static class LoopbackHandler
{
    /// <summary>A handler whose connections leave from <paramref name="local"/>.</summary>
    public static SocketsHttpHandler From(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
