using System.Net.WebSockets;
using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// While Redis is down, connections per user and the message rate fall back to each node's own count (fail open to
/// per-node limits), nothing fails, and the change is logged; once Redis is back (empty: it kept nothing) the limits are
/// shared again.
/// </summary>
[CancelAfter(150_000)]
[NonParallelizable]
public class SharedLimitsOutageTests
{
    private const int Burst = 5;

    [Test]
    public async Task WhileRedisIsDownEachNodeLimitsOnItsOwnAndOnceItIsBackTheLimitsAreSharedAgain(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        await using var cluster = await ChatterCluster.StartAsync(redis, 2, new Dictionary<string, string?>
        {
            // Each node's own store: messages are stored (and acknowledged) while Redis is down.
            ["Chatter:History:Store"] = "sqlite",
            ["Chatter:Limits:MaxConnectionsPerUser"] = "1",
            ["Chatter:Limits:MessagesPerSecond"] = "1",
            ["Chatter:Limits:MessageBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await redis.StopAsync();

        await using (var onFirst = await cluster[0].LoginRawAsync("test3", cancellationToken: ct))
        await using (var onSecond = await cluster[1].LoginRawAsync("test3", cancellationToken: ct))
        {
            Assert.That(await ConnectionLimitTests.RefusedRawLoginAsync(cluster[0], "test3", "pass3", ct), Is.EqualTo((ConnectionsAcrossNodesTests.TooManyConnections, WebSocketCloseStatus.PolicyViolation)), "each node still limits its own connections");
            Assert.Multiple(async () =>
            {
                Assert.That(await MessageRateAcrossNodesTests.SendAndCountAcksAsync(onFirst, Burst, "a", ct), Is.EqualTo(Burst), "node 0's connection has its own burst");
                Assert.That(await MessageRateAcrossNodesTests.SendAndCountAcksAsync(onSecond, Burst, "b", ct), Is.EqualTo(Burst), "and node 1's its own");
            });
            Assert.That(await MessageRateAcrossNodesTests.SendAndCountAcksAsync(onFirst, Burst, "c", ct), Is.LessThan(Burst), "the per-connection rate still holds");
        }

        foreach (var node in cluster.Nodes)
        {
            Assert.That(node.Logs.WithEventId(602), Is.Not.Empty, "the fallback is logged");
        }

        await redis.StartAgainAsync(ct);
        foreach (var node in cluster.Nodes)
        {
            // Each node's heartbeat asks Redis within a few seconds of its return, and the way back is logged once.
            await node.Logs.WaitForEventAsync(603, timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);
        }

        await using var shared = await cluster[0].LoginRawAsync("alice", cancellationToken: ct);
        Assert.That(await ConnectionLimitTests.RefusedRawLoginAsync(cluster[1], "alice", "alice-pw", ct), Is.EqualTo((ConnectionsAcrossNodesTests.TooManyConnections, WebSocketCloseStatus.PolicyViolation)), "connections counted across nodes again");

        // The budget is the user's, not the connection's: spent on node 1, still spent on node 0.
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        var bob = await cluster[1].LoginRawAsync("bob", cancellationToken: ct);
        Assert.That(await MessageRateAcrossNodesTests.SendAndCountAcksAsync(bob, Burst, "d", ct), Is.EqualTo(Burst), "bob's burst, on node 1");
        await bob.CloseAsync();
        await bob.DisposeAsync();
        await using var bobAgain = await ConnectionsAcrossNodesTests.LoginWithinAsync(cluster[0], "bob", TimeSpan.FromSeconds(10), ct);
        var acked = await MessageRateAcrossNodesTests.SendAndCountAcksAsync(bobAgain, Burst, "e", ct);
        Assert.That(acked, Is.LessThanOrEqualTo((int)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 1), "on node 0 bob gets only what refilled meanwhile");
    }
}
