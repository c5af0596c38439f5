using System.Net;
using Chatter.Protocol.Frames;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Tests.Backplane;

/// <summary>
/// The private redis-server is killed and started again during the test: while it is down sends are refused and reach
/// nobody, <c>/readyz</c> answers 503 (<c>/healthz</c>, liveness, still 200) and logins still work; when it is back the nodes recover by themselves.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class RedisOutageTests
{
    /// <summary>RedisLog events: a connection lost, a connection restored.</summary>
    private const int ConnectionFailedEventId = 700, ConnectionRestoredEventId = 701;

    [Test]
    public async Task WhileRedisIsDownSendsAreRefusedHealthzIs503LoginsWorkAndTheNodesRecoverWhenItReturns(CancellationToken ct)
    {
        // AOF: the history (and the id counter) survive the kill, as in a durable deployment.
        await using var redis = await RedisServer.StartAsync(appendOnly: true, ct);
        await using var cluster = await ChatterCluster.StartAsync(redis, 2);
        await using var receiver = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);
        await using var sender = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        await using var hubSender = await cluster[1].ConnectHubAsync("test3", cancellationToken: ct);
        var before = await sender.SendAndAckAsync("t", "before", "b", ct);
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(before.Id));
        Assert.That((await hubSender.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(before.Id));

        await redis.StopAsync();
        foreach (var node in cluster.Nodes)
        {
            await node.Logs.WaitForEventAsync(ConnectionFailedEventId, e => LogCapture.Property(e, "ConnectionType") == "Subscription", cancellationToken: ct);
        }

        // Refused, with the ref; the connection stays open.
        await sender.SendChatAsync("t", "during", "d", ct);
        var refused = await sender.ReceiveErrorAsync(ct);
        Assert.That((refused.Reason, refused.Ref), Is.EqualTo((FrameError.MessageNotStored, "d")));
        await Assert.ThatAsync(() => hubSender.SendAsync("t", "during (SignalR)", ct), Throws.TypeOf<HubException>().With.Message.Contains(FrameError.MessageNotStored));

        foreach (var node in cluster.Nodes)
        {
            using var ready = await node.Http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "readyz while Redis is down");
            using var alive = await node.Http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
            Assert.That(alive.StatusCode, Is.EqualTo(HttpStatusCode.OK), "healthz (liveness) while Redis is down: the process is alive");
        }

        // Logins still work (without a replay): a raw login, and a token for SignalR.
        await using var lateRaw = await cluster[0].LoginRawAsync("alice", cancellationToken: ct);
        Assert.That(await cluster[0].GetTokenAsync("bob", cancellationToken: ct), Is.Not.Empty);

        await redis.StartAgainAsync(ct);
        foreach (var node in cluster.Nodes)
        {
            await node.Logs.WaitForEventAsync(ConnectionRestoredEventId, e => LogCapture.Property(e, "ConnectionType") == "Interactive", TimeSpan.FromSeconds(30), ct);
            await node.Logs.WaitForEventAsync(ConnectionRestoredEventId, e => LogCapture.Property(e, "ConnectionType") == "Subscription", TimeSpan.FromSeconds(30), ct);
            using var ready = await node.Http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "readyz once Redis is back");
        }

        var after = await sender.SendAndAckAsync("t", "after", "a", ct);
        Assert.That(after.Id, Is.GreaterThan(before.Id), "ids go on from the stored counter");
        var afterHub = await hubSender.SendAsync("t", "after (SignalR)", ct);
        foreach (var client in new[] { receiver, lateRaw })
        {
            // The refused messages reached nobody: the next messages are those sent after the outage.
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(after.Id));
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(afterHub.Id));
        }

        Assert.That((await hubSender.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(after.Id));
        await using var reader = await cluster[0].ConnectHubAsync("carol", cancellationToken: ct);
        var history = await reader.GetHistoryAsync("t", null, 10, ct);
        Assert.That(history.Select(m => m.Message), Is.EqualTo(new[] { "before", "after", "after (SignalR)" }), "the history holds what was acknowledged, nothing refused");
    }

    [Test]
    public async Task NodesStartedWhileRedisIsDownServeOnceItAnswers(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        await redis.StopAsync();
        await using var cluster = await ChatterCluster.StartAsync(redis, 2);
        using (var health = await cluster[0].Http.GetAsync(new Uri("/readyz", UriKind.Relative), ct))
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        // A client logging in during the outage is let in, waits for the backplane, and gets broadcasts once Redis is there.
        await using var early = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);

        // Node 0 has a Redis client (its health check and its client made one); node 1 makes its own at its first login.
        await redis.StartAgainAsync(ct);
        await cluster[0].Logs.WaitForEventAsync(ConnectionRestoredEventId, e => LogCapture.Property(e, "ConnectionType") == "Subscription", TimeSpan.FromSeconds(30), ct);

        await using var sender = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        await using var late = await cluster[0].LoginRawAsync("test3", cancellationToken: ct);
        var sent = await sender.SendAndAckAsync("t", "hello", "h", ct);
        Assert.That((await early.ReceiveMessageAsync(ct)).Id, Is.EqualTo(sent.Id));
        Assert.That((await late.ReceiveMessageAsync(ct)).Id, Is.EqualTo(sent.Id));
    }
}
