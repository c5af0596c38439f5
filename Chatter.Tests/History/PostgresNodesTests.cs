using System.Net;
using Chatter.Protocol.Frames;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Tests.History;

/// <summary>
/// Real servers on one PostgreSQL database: two nodes with the Redis backplane share history and ids; and PostgreSQL
/// stopped with pg_ctl mid-test: sends refused, <c>/readyz</c> 503, nothing crashes, and service back by itself when it
/// starts again on the same port.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class PostgresNodesTests : PostgresTestBase
{
    /// <summary>The settings of a node whose history is <paramref name="database"/>.</summary>
    public static Dictionary<string, string?> Settings(string database) => new()
    {
        ["Chatter:History:Store"] = "postgres",
        ["Chatter:History:ConnectionString"] = database,
        ["Chatter:Token:SigningKey"] = ChatterCluster.SigningKey,
        ["Chatter:Limits:MessagesPerSecond"] = "0",
    };

    [Test]
    public async Task TwoNodesWithTheRedisBackplaneShareOnePostgresHistory(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        await using var cluster = await ChatterCluster.StartAsync(redis, 2, Settings(await Postgres.CreateDatabaseAsync(ct)));
        await using var receiver = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);
        await using var sender = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        await using var hubSender = await cluster[0].ConnectHubAsync("test3", cancellationToken: ct);

        var first = await sender.SendAndAckAsync("t", "from node 1", "a", ct);
        var second = await hubSender.SendAsync("t", "from node 0", ct);

        Assert.That(second.Id, Is.GreaterThan(first.Id));
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(first.Id), "across nodes by the backplane");
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id));
        Assert.That((await sender.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id));
        // Each node's history holds both, and a login on either replays both.
        await using var reader = await cluster[1].ConnectHubAsync("carol", cancellationToken: ct);
        Assert.That((await reader.GetHistoryAsync("t", null, 10, ct)).Select(m => m.Id), Is.EqualTo(new[] { first.Id, second.Id }));
        await using var late = await cluster[0].LoginRawAsync("alice", cancellationToken: ct);
        Assert.That((await late.ReceiveMessageAsync(ct)).Id, Is.EqualTo(first.Id));
        Assert.That((await late.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id));
    }

    [Test]
    public async Task WhilePostgresIsStoppedSendsAreRefusedReadyzIs503AndServiceReturnsWithIt(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings(await Postgres.CreateDatabaseAsync(ct)));
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var hubSender = await server.ConnectHubAsync("test3", cancellationToken: ct);
        var before = await sender.SendAndAckAsync("t", "before", "b", ct);
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(before.Id));
        Assert.That((await hubSender.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(before.Id));

        await Postgres.StopAsync();

        await sender.SendChatAsync("t", "during", "d", ct);
        var refused = await sender.ReceiveErrorAsync(ct);
        Assert.That((refused.Reason, refused.Ref), Is.EqualTo((FrameError.MessageNotStored, "d")));
        await Assert.ThatAsync(() => hubSender.SendAsync("t", "during (SignalR)", ct), Throws.TypeOf<HubException>().With.Message.Contains(FrameError.MessageNotStored));
        using (var ready = await server.Http.GetAsync(new Uri("/readyz", UriKind.Relative), ct))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "readyz while PostgreSQL is down");
        }

        using (var alive = await server.Http.GetAsync(new Uri("/healthz", UriKind.Relative), ct))
        {
            Assert.That(alive.StatusCode, Is.EqualTo(HttpStatusCode.OK), "healthz: the process and its writer are alive");
        }

        // A login still works (without a replay).
        await using var duringLogin = await server.LoginRawAsync("alice", cancellationToken: ct);

        await Postgres.StartAgainAsync(ct);

        using (var ready = await server.Http.GetAsync(new Uri("/readyz", UriKind.Relative), ct))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "readyz once PostgreSQL is back");
        }

        var after = await sender.SendAndAckAsync("t", "after", "a", ct);
        var afterHub = await hubSender.SendAsync("t", "after (SignalR)", ct);
        Assert.That(after.Id, Is.GreaterThan(before.Id), "ids go on from the stored counter");
        foreach (var client in new[] { receiver, duringLogin })
        {
            // The refused messages reached nobody: the next messages are those sent after the outage.
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(after.Id));
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(afterHub.Id));
        }

        await using var reader = await server.ConnectHubAsync("carol", cancellationToken: ct);
        var history = await reader.GetHistoryAsync("t", null, 10, ct);
        Assert.That(history.Select(m => m.Message), Is.EqualTo(new[] { "before", "after", "after (SignalR)" }), "the history holds what was acknowledged, nothing refused");
    }
}
