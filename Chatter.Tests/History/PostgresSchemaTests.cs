using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Npgsql;

namespace Chatter.Tests.History;

/// <summary>The PostgreSQL schema: created by Chatter (once, however many nodes start together), kept, and refused when newer.</summary>
[CancelAfter(60_000)]
public sealed class PostgresSchemaTests : PostgresTestBase
{
    [Test]
    public async Task NodesStartingTogetherOnAnEmptyDatabaseCreateTheCurrentVersionOnce(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Stores.StartAsync(database)));

        Assert.That(await QueryAsync<long>(database, "SELECT COUNT(*) FROM schema_version WHERE version = 3;", ct), Is.EqualTo(1));
        Assert.That(await QueryAsync<long>(database, "SELECT COUNT(*) FROM schema_version;", ct), Is.EqualTo(1));
        // The database's epoch and an indexed, nullable ref on messages (version 1).
        Assert.That(await QueryAsync<string>(database, "SELECT epoch FROM meta;", ct), Is.Not.Empty);
        Assert.That(
            await QueryAsync<string>(database, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'messages' AND column_name = 'ref';", ct),
            Is.EqualTo("YES"));
        Assert.That(await QueryAsync<string>(database, "SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_sender_ref';", ct), Does.Contain("(sender, ref)"));
    }

    [Test]
    public async Task ARestartKeepsTheMessagesAndTheEpoch(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var first = await Stores.StartAsync(database);
        var stored = await first.AppendAsync("t", "kept", "u", ct);
        var epoch = await QueryAsync<string>(database, "SELECT epoch FROM meta;", ct);
        await Stores.StopAsync(first);

        var again = await Stores.StartAsync(database);

        Assert.That(await again.GetPageAsync("t", null, 10, ct), Is.EqualTo(new[] { stored }));
        Assert.That(await QueryAsync<string>(database, "SELECT epoch FROM meta;", ct), Is.EqualTo(epoch));
        Assert.That((await again.AppendAsync("t", "next", "u", ct)).Id, Is.GreaterThan(stored.Id));
    }

    [Test]
    public async Task AVersionOneDatabaseIsMigratedAndKeepsItsMessages(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(ct);
            await PostgresSchema.MigrateAsync(connection, "v1", ct, target: 1);
            // Three messages as version 1 stored them, the first since removed by retention.
            await using var v1 = new NpgsqlCommand("""
                INSERT INTO messages (id, thread, message, sender, ts, ref) VALUES
                    (1, 't', 'gone', 'u', @now, NULL), (2, 't', 'kept', 'u', @now, 'r2'), (3, 'other', 'also kept', 'v', @now, NULL);
                INSERT INTO threads (name, last_id, count) VALUES ('t', 2, 2), ('other', 3, 1);
                UPDATE message_ids SET last_id = 3;
                DELETE FROM messages WHERE id = 1;
                UPDATE threads SET count = 1 WHERE name = 't';
                """, connection);
            v1.Parameters.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await v1.ExecuteNonQueryAsync(ct);
        }

        var epoch = await QueryAsync<string>(database, "SELECT epoch FROM meta;", ct);
        var history = await Stores.StartAsync(database);

        Assert.That(await QueryAsync<int>(database, "SELECT version FROM schema_version;", ct), Is.EqualTo(PostgresSchema.CurrentVersion));
        Assert.That(await QueryAsync<string>(database, "SELECT epoch FROM meta;", ct), Is.EqualTo(epoch), "the same history");
        var replay = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That(replay.Messages.Select(m => (m.Id, m.Message)), Is.EqualTo(new[] { (2L, "kept"), (3L, "also kept") }));
        Assert.That((replay.HighWater, replay.Complete), Is.EqualTo((3L, false)), "retention of version 1 removed something, not known what: not whole");
        Assert.That((await history.GetReplayAsync(3, 100, 100, ct)).Complete, Is.True, "since the newest id before the migration");
        Assert.That(await history.AppendAsync(new ChatPost("t", "kept", "u", "r2"), ct), Is.EqualTo(new ChatPosted(replay.Messages[0], Resent: true)), "a version 1 ref is found");
        Assert.That((await history.AppendAsync("t", "next", "u", ct)).Id, Is.EqualTo(4));
        Assert.That(await history.SetReadMarkerAsync("u", new Chatter.Protocol.ReadMarker("t", 4), ct), Is.EqualTo(ReadMarkerResult.Moved));
        Assert.That(
            await QueryAsync<long>(database, "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'messages' AND column_name IN ('member1', 'member2', 'edited_ts') AND is_nullable = 'YES';", ct),
            Is.EqualTo(3), "the columns of direct messages and edits, nullable");
    }

    [Test]
    public async Task ADatabaseOfANewerSchemaVersionRefusesTheStartAndIsLeftAsItIs(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var current = await Stores.StartAsync(database);
        await current.AppendAsync("t", "from a later Chatter", "u", ct);
        await Stores.StopAsync(current);
        await QueryAsync<int>(database, "UPDATE schema_version SET version = 4 RETURNING version;", ct);

        var refused = Assert.ThrowsAsync<InvalidDataException>(() => Stores.Create(database).StartAsync(ct));
        Assert.That(refused!.Message, Does.Contain("has schema version 4, newer than this Chatter understands (3)").And.Contain("refusing to start"));

        // The whole server refuses to start, with that message.
        var server = Assert.ThrowsAsync<InvalidDataException>(() => ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:History:Store"] = "postgres",
            ["Chatter:History:ConnectionString"] = database,
            ["Chatter:Token:SigningKey"] = ChatterCluster.SigningKey,
        }));
        Assert.That(server!.Message, Does.Contain("newer than this Chatter understands"));

        Assert.That(await QueryAsync<int>(database, "SELECT version FROM schema_version;", ct), Is.EqualTo(4));
        Assert.That(await QueryAsync<long>(database, "SELECT COUNT(*) FROM messages;", ct), Is.EqualTo(1));
    }

    private static async Task<T> QueryAsync<T>(string database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
