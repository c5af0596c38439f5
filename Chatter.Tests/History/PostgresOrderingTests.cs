using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Npgsql;

namespace Chatter.Tests.History;

/// <summary>
/// The PostgreSQL store's ordering and durability promises, on several stores (nodes) sharing one database: ids in commit
/// order across nodes, group commits on one node, and <c>synchronous_commit</c> on whatever the database's default.
/// </summary>
[CancelAfter(120_000)]
public sealed class PostgresOrderingTests : PostgresTestBase
{
    [Test]
    public async Task ConcurrentAppendersOnTwoNodesNeverMakeAHigherIdVisibleBeforeALowerOne(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var nodes = new[] { await Stores.StartAsync(database), await Stores.StartAsync(database) };
        var reader = await Stores.StartAsync(database);
        using var appending = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // Every snapshot a reader takes must hold exactly the ids 1..HighWater: an id above one not yet visible would be
        // a message the replay gate calls history although a lower one is still to come.
        var reads = 0;
        var checker = Task.Run(async () =>
        {
            while (!appending.IsCancellationRequested)
            {
                var replay = await reader.GetReplayAsync(null, 100_000, 100_000, ct);
                var ids = replay.Messages.Select(m => m.Id).ToList();
                Assert.That(ids, Is.EqualTo(Enumerable.Range(1, (int)replay.HighWater).Select(i => (long)i)), $"snapshot at high water {replay.HighWater}");
                reads++;
            }
        }, ct);

        var appenders = nodes.SelectMany((node, n) => Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                await node.AppendAsync($"t{(sender + i) % 4}", $"{n}:{sender}:{i}", $"u{sender}", ct);
            }
        }, ct))).ToList();
        try
        {
            await Task.WhenAll(appenders);
        }
        finally
        {
            await appending.CancelAsync();
            await checker;
        }

        var all = await reader.GetReplayAsync(null, 100_000, 100_000, ct);
        Assert.That((all.Messages.Count, all.HighWater), Is.EqualTo((2 * 8 * 150, 2L * 8 * 150)));
        Assert.That(reads, Is.GreaterThan(10), "the reader took snapshots while the nodes appended");
    }

    [Test]
    public async Task TwoNodesOnOneDatabaseShareOneIncreasingIdSequenceAndReadEachOther(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var a = await Stores.StartAsync(database);
        var b = await Stores.StartAsync(database);

        var stored = new List<Chatter.Protocol.ChatMessage>();
        for (var i = 0; i < 10; i++)
        {
            stored.Add(await (i % 2 == 0 ? a : b).AppendAsync("shared", $"m{i}", "u", ct));
        }

        Assert.That(stored.Select(m => m.Id), Is.Ordered.Ascending.And.Unique);
        Assert.That(await a.GetPageAsync("shared", null, 20, ct), Is.EqualTo(stored));
        Assert.That((await b.GetReplayAsync(null, 100, 100, ct)).Messages, Is.EqualTo(stored));
    }

    [Test]
    public async Task AppendsQueuedWhileATransactionCommitsShareTheNextCommit(CancellationToken ct)
    {
        var history = await Stores.StartAsync(await Postgres.CreateDatabaseAsync(ct));
        var batches = new PostgresHeldBatch(history);

        var first = history.AppendAsync("t", "first", "u", ct).AsTask();
        await batches.HeldAsync(ct);
        // Each call has queued its message when it returns its task.
        var queued = Enumerable.Range(0, 50).Select(i => history.AppendAsync($"t{i % 3}", $"m{i}", "u", ct).AsTask()).ToList();
        Assert.That(first.IsCompleted, Is.False, "not acknowledged before its commit");
        batches.Release();

        await first;
        var stored = await Task.WhenAll(queued);
        Assert.That(batches.Sizes, Is.EqualTo(new[] { 1, 50 }), "the 50 waiting messages went into one transaction");
        Assert.That(stored.Select(m => m.Id), Is.EqualTo(Enumerable.Range(2, 50).Select(i => (long)i)), "numbered in the order queued");
    }

    [Test]
    public async Task EveryWriteTransactionCommitsSynchronouslyWhenTheDatabaseDefaultIsOff(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var name = new NpgsqlConnectionStringBuilder(database).Database;
        await using (var admin = new NpgsqlConnection(Postgres.ConnectionString()))
        {
            await admin.OpenAsync(ct);
            await using var off = new NpgsqlCommand($"ALTER DATABASE {name} SET synchronous_commit = off;", admin);
            await off.ExecuteNonQueryAsync(ct);
        }

        var history = await Stores.StartAsync(database);
        var seen = new List<string>();
        history.Writer.BatchWriting = async (connection, _) =>
        {
            await using var show = new NpgsqlCommand("SHOW synchronous_commit;", connection);
            seen.Add((string)(await show.ExecuteScalarAsync(ct))!);
        };

        await history.AppendAsync("t", "durable", "u", ct);

        Assert.That(seen, Is.EqualTo(new[] { "on" }), "in the writer's session (each transaction sets it again with SET LOCAL)");
        await using var other = new NpgsqlConnection(database);
        await other.OpenAsync(ct);
        await using var show = new NpgsqlCommand("SHOW synchronous_commit;", other);
        Assert.That(await show.ExecuteScalarAsync(ct), Is.EqualTo("off"), "the database's default the store overrides");
    }
}
