using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// With Redis the login throttle is shared by every node, so N nodes do not give a guesser N times the budget; while
/// Redis is down each node counts on its own (fail open to per-node limits), and sharing resumes when it is back.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class LimitsAcrossNodesTests : RedisTestBase
{
    private const string TooManyAttempts = "{\"error\": \"too many attempts\"}";
    private const string InvalidCredentials = "{\"error\": \"invalid credentials\"}";

    [Test]
    public async Task WrongGuessesOnTwoNodesShareOneBudget(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[i % 2], 9, "carol", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials), $"guess {i + 1}");
        }

        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[1], 9, "carol", "wrong", ct)).Reply, Is.EqualTo(TooManyAttempts), "the sixth, on the node that saw two");
        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[0], 9, "carol", "carol-pw", ct)).Reply, Is.EqualTo(TooManyAttempts), "the right password, same address");
    }

    [Test]
    public async Task AUserKnownOnOneNodeIsKnownOnTheOther(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[0], 1, "bob", "bob-pw", ct)).Reply, Is.EqualTo("{\"auth\": \"ok\"}"));
        for (var i = 0; i < 10; i++)
        {
            await LoginLockoutTests.RawLoginAsync(cluster[i % 2], 40 + i, "bob", "wrong", ct);
        }

        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[1], 60, "bob", "bob-pw", ct)).Reply, Is.EqualTo(TooManyAttempts), "a new address: the per-name limit");
        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[1], 1, "bob", "bob-pw", ct)).Reply, Is.EqualTo("{\"auth\": \"ok\"}"), "bob's address, known from the other node");
    }

    [Test]
    public async Task WhileRedisIsDownEachNodeThrottlesOnItsOwnAndSharingResumesWhenItIsBack(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        await using var cluster = await ChatterCluster.StartAsync(redis, 2);
        await redis.StopAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[0], 9, "carol", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials), $"guess {i + 1} on node 0");
        }

        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[0], 9, "carol", "wrong", ct)).Reply, Is.EqualTo(TooManyAttempts), "node 0 still counts on its own");
        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[1], 9, "carol", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials), "node 1 has its own budget meanwhile");
        Assert.That(cluster[0].Logs.WithEventId(602), Is.Not.Empty, "the fallback is logged");

        await redis.StartAgainAsync(ct);
        foreach (var node in cluster.Nodes)
        {
            await node.Logs.WaitForEventAsync(701, e => LogCapture.Property(e, "ConnectionType") == "Interactive", TimeSpan.FromSeconds(30), ct);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[i % 2], 19, "alice", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials), $"alice guess {i + 1}");
        }

        Assert.That((await LoginLockoutTests.RawLoginAsync(cluster[1], 19, "alice", "wrong", ct)).Reply, Is.EqualTo(TooManyAttempts), "shared again");
    }
}
