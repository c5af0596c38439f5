using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Delivery;

/// <summary>A server whose sockets buffer little (so a reader that stops is soon behind), and readers that stop.</summary>
internal static class StalledReaders
{
    /// <summary>The server sockets' <c>SO_SNDBUF</c>.</summary>
    public const int ServerSendBufferBytes = 64 * 1024;

    /// <summary>Starts a memory-store server with the rate limit off, <paramref name="settings"/> and small socket buffers.</summary>
    public static Task<ChatterServer> StartServerAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string> users, Action<IServiceCollection>? configureServices = null)
    {
        var all = new Dictionary<string, string?>(settings)
        {
            ["Chatter:History:Store"] = "memory",
            ["Chatter:Limits:MessagesPerSecond"] = "0",
        };
        return ChatterServer.StartAsync(all, users, configureServices: services =>
        {
            services.Configure<SocketTransportOptions>(transport => transport.CreateBoundListenSocket = endpoint =>
            {
                var listener = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                listener.SendBufferSize = ServerSendBufferBytes;
                return listener;
            });
            configureServices?.Invoke(services);
        });
    }

    /// <summary>Logs in <paramref name="count"/> raw readers that read nothing after the login, each live (its replay done).</summary>
    public static async Task<List<StalledClient>> LoginAsync(ChatterServer server, string prefix, int count, CancellationToken ct)
    {
        var readers = new List<StalledClient>();
        for (var i = 0; i < count; i++)
        {
            var user = $"{prefix}{i}";
            readers.Add(await StalledClient.LoginRawAsync(server.WsUri, user, TestUsers.PasswordOf(user), ct));
            await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == user, cancellationToken: ct);
        }

        return readers;
    }
}
