using System.Net.WebSockets;
using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// With Redis <c>MaxConnectionsPerUser</c> counts a user's connections on every node, raw and SignalR alike; a
/// connection that ends gives its slot back on every node.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class ConnectionsAcrossNodesTests : RedisTestBase
{
    internal const string TooManyConnections = "{\"error\": \"too many connections\"}";

    [Test]
    public async Task AUserAtItsLimitAcrossTwoNodesIsRefusedOnEitherAndAnEndedConnectionFreesItsSlot(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, new Dictionary<string, string?> { ["Chatter:Limits:MaxConnectionsPerUser"] = "2" });
        var first = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        await using var second = await cluster[1].ConnectHubAsync("test1", cancellationToken: ct);
        // A SignalR connection takes its slot in OnConnectedAsync, which runs after the client's start has returned.
        await cluster[1].Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test1", cancellationToken: ct);

        Assert.That(await ConnectionLimitTests.RefusedRawLoginAsync(cluster[0], "test1", "pass1", ct), Is.EqualTo((TooManyConnections, WebSocketCloseStatus.PolicyViolation)), "raw, on the node that holds one");
        Assert.That(await ConnectionLimitTests.RefusedHubConnectionAsync(cluster[0], "test1", ct), Does.EndWith("too many connections"), "SignalR, on the node that holds one");
        await using var other = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);

        await first.CloseAsync();
        await first.DisposeAsync();
        await using var again = await LoginWithinAsync(cluster[1], "test1", TimeSpan.FromSeconds(10), ct);
        await again.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    /// <summary>
    /// Logs <paramref name="user"/> in, trying again while refused with too many connections, within
    /// <paramref name="within"/>: a slot comes back once the ended connection's release has reached Redis.
    /// </summary>
    internal static async Task<RawChatClient> LoginWithinAsync(ChatterServer node, string user, TimeSpan within, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        while (true)
        {
            var client = await node.ConnectRawAsync(deadline.Token);
            await client.LoginAsync(user, ChatterServer.DefaultUsers[user], cancellationToken: deadline.Token);
            var reply = await client.ReceiveTextAsync(deadline.Token);
            if (reply == "{\"auth\": \"ok\"}")
            {
                return client;
            }

            Assert.That(reply, Is.EqualTo(TooManyConnections));
            await client.DisposeAsync();
        }
    }
}
