using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Delivery;

/// <summary>REVIEW L3: a failure on the server's side closes a raw client with 1011, not with a normal close.</summary>
[CancelAfter(60_000)]
public class ServerErrorCloseTests
{
    [Test]
    public async Task AFailureOfTheServerClosesARawClientWith1011(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(configureServices: services =>
            services.AddSingleton<IChatHistory>(provider => new FailingReplayHistory(provider.GetRequiredService<SqliteChatHistory>())));
        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);

        var (status, _) = await client.ReceiveCloseAsync(ct);

        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.InternalServerError));
    }

    /// <summary>A store whose replay fails with a fault (not a refusal the hub expects).</summary>
    private sealed class FailingReplayHistory(IChatHistory inner) : DelegatingHistory(inner)
    {

        public override ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
            => throw new InvalidOperationException("a bug in the store");
    }
}
