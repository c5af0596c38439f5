using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Npgsql;

namespace Chatter.Tests.History;

/// <summary>
/// Recovery and read markers on PostgreSQL: the epoch read with each replay (a database recreated under a running node
/// is a new epoch), retention on one node making another's replay not whole, a v2 raw login answered
/// <c>recovered: true</c>, and read markers shared by nodes and kept across a restart.
/// </summary>
[CancelAfter(120_000)]
public sealed class PostgresRecoveryTests : PostgresTestBase
{
    [Test]
    public async Task ADatabaseRecreatedUnderARunningStoreIsANewEpoch(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var running = await Stores.StartAsync(database);
        await running.AppendAsync("t", "before", "u", ct);
        var before = await running.GetReplayAsync(null, 10, 10, ct);

        // The schema dropped and made anew (as a restore into an emptied database would) by a node started afterwards.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(ct);
            await using var drop = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", connection);
            await drop.ExecuteNonQueryAsync(ct);
        }

        await Stores.StartAsync(database);

        var after = await running.GetReplayAsync(null, 10, 10, ct);
        Assert.That((after.Messages.Count, after.HighWater), Is.EqualTo((0, 0L)));
        Assert.That(after.Epoch, Is.Not.Empty.And.Not.EqualTo(before.Epoch), "the running store reads the new database's epoch");
        var stored = await running.AppendAsync("t", "after", "u", ct);
        Assert.That((await running.GetReplayAsync(null, 10, 10, ct)).Epoch, Is.EqualTo(after.Epoch));
        Assert.That(stored.Id, Is.EqualTo(1), "the new database's ids");
    }

    [Test]
    public async Task RetentionOnOneNodeMakesAnotherNodesReplayNotComplete(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var pruning = await Stores.StartAsync(database, new HistoryOptions { MaxPerThread = 2 });
        var reading = await Stores.StartAsync(database);
        var first = await pruning.AppendAsync("t", "m0", "u", ct);
        await pruning.AppendAsync("t", "m1", "u", ct);
        await pruning.AppendAsync("t", "m2", "u", ct);
        Assert.That((await reading.GetReplayAsync(null, 100, 100, ct)).Complete, Is.True, "nothing removed yet");

        Assert.That(await pruning.PruneAsync(ct), Is.EqualTo(1));

        var replay = await reading.GetReplayAsync(null, 100, 100, ct);
        Assert.That(replay.Messages.Select(m => m.Message), Is.EqualTo(new[] { "m1", "m2" }));
        Assert.That(replay.Complete, Is.False, "m0 was newer than since 0 and is gone");
        Assert.That((await reading.GetReplayAsync(first.Id, 100, 100, ct)).Complete, Is.True, "nothing newer than m0 is gone");
    }

    [Test]
    public async Task AV2RawLoginIsAnsweredRecoveredTrueAndResumes(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(PostgresNodesTests.Settings(await Postgres.CreateDatabaseAsync(ct)));
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var ids = new List<long>();
        foreach (var text in new[] { "a", "b", "c" })
        {
            ids.Add((await sender.SendAndAckAsync("t", text, $"r-{text}", ct)).Id);
        }

        await using var again = await server.AssertLoginAndResumeAsync("test2", ids, ct);

        // A resend after the reconnect is answered with its original and stored once.
        Assert.That((await sender.SendAndAckAsync("t", "b", "r-b", ct)).Id, Is.EqualTo(ids[1]));
        var (late, all) = await server.LoginV2Async("test3", cancellationToken: ct);
        await using var _ = late;
        Assert.That(all.Replay.Select(m => m.Id), Is.EqualTo(ids));
    }

    [Test]
    public async Task ReadMarkersAreSharedByNodesAndKeptAcrossARestart(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        await using (var redis = await RedisServer.StartAsync(cancellationToken: ct))
        await using (var cluster = await ChatterCluster.StartAsync(redis, 2, PostgresNodesTests.Settings(database)))
        {
            var (phone, _) = await cluster[0].LoginV2Async("test1", cancellationToken: ct);
            await using var __ = phone;
            var (laptop, _) = await cluster[1].LoginV2Async("test1", cancellationToken: ct);
            await using var ___ = laptop;

            await phone.SendJsonAsync(new { read = new { thread = "general", id = 42 } }, ct);
            Assert.That(await laptop.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"general","id":42}}"""), "on the other node");
            await laptop.SendJsonAsync(new { read = new { thread = "general", id = 40 } }, ct);
            await laptop.SendJsonAsync(new { read = new { thread = "random", id = 7 } }, ct);
            Assert.That(await phone.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"random","id":7}}"""), "the backwards marker moved nothing");
        }

        await using var restarted = await ChatterServer.StartAsync(PostgresNodesTests.Settings(database));
        var (client, answer) = await restarted.LoginV2Async("test1", cancellationToken: ct);
        await using var ____ = client;
        Assert.That(answer.Reads, Is.EquivalentTo(new Dictionary<string, long> { ["general"] = 42, ["random"] = 7 }));
    }
}
