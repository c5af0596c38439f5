using System.Text.Json;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.History;

/// <summary>The SQLite history through the real server: restarts, refused files, a locked store, retention.</summary>
[CancelAfter(60_000)]
public class PersistenceTests
{
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Runs SQL on the database file directly, as another program (or an older Chatter) would.</summary>
    private static async Task ExecuteAsync(string file, string sql, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<long>> SendAckedAsync(RawChatClient client, string thread, int count, CancellationToken ct)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            await client.SendChatAsync(thread, $"m{i}", $"r{i}", ct);
            var ack = await client.ReceiveJsonAsync(ct);
            Assert.That(ack.GetProperty("ack").GetString(), Is.EqualTo($"r{i}"));
            ids.Add(ack.GetProperty("id").GetInt64());
        }

        return ids;
    }

    private static async Task<List<JsonElement>> ReadReplayAsync(RawChatClient client, int count, CancellationToken ct)
    {
        var replay = new List<JsonElement>();
        for (var i = 0; i < count; i++)
        {
            replay.Add(await client.ReceiveJsonAsync(ct));
        }

        return replay;
    }

    [Test]
    public async Task MessagesSurviveARestartWithTheirIdsAndNewIdsKeepIncreasing(CancellationToken ct)
    {
        var directory = NewDirectory();
        List<long> before;
        await using (var first = await ChatterServer.StartAsync(directory: directory))
        {
            await using var sender = await first.LoginRawAsync("test1", cancellationToken: ct);
            before = await SendAckedAsync(sender, "persist", 3, ct);
        }

        await using var second = await ChatterServer.StartAsync(directory: directory, writeUsersFile: false);
        await using var reader = await second.LoginRawAsync("test2", cancellationToken: ct);
        var replay = await ReadReplayAsync(reader, 3, ct);
        Assert.That(replay.Select(m => m.GetProperty("id").GetInt64()), Is.EqualTo(before));
        Assert.That(replay.Select(m => m.GetProperty("message").GetString()), Is.EqualTo(new[] { "m0", "m1", "m2" }));

        await reader.SendChatAsync("persist", "after restart", "after", ct);
        var ack = await reader.ReceiveJsonAsync(ct);
        Assert.That(ack.GetProperty("id").GetInt64(), Is.GreaterThan(before[^1]));
    }

    [Test]
    public async Task ReplayLimitAndSinceApplyAfterARestart(CancellationToken ct)
    {
        var directory = NewDirectory();
        var settings = new Dictionary<string, string?> { ["Chatter:History:ReplayLimit"] = "2" };
        List<long> ids;
        await using (var first = await ChatterServer.StartAsync(settings, directory: directory))
        {
            await using var sender = await first.LoginRawAsync("test1", cancellationToken: ct);
            ids = await SendAckedAsync(sender, "limited", 5, ct);
        }

        await using var second = await ChatterServer.StartAsync(settings, directory: directory, writeUsersFile: false);
        await using (var late = await second.LoginRawAsync("test2", cancellationToken: ct))
        {
            var replay = await ReadReplayAsync(late, 2, ct);
            Assert.That(replay.Select(m => m.GetProperty("id").GetInt64()), Is.EqualTo(ids[3..]));
        }

        await using var recovering = await second.LoginRawAsync("test3", since: ids[3], cancellationToken: ct);
        var since = await recovering.ReceiveJsonAsync(ct);
        Assert.That(since.GetProperty("id").GetInt64(), Is.EqualTo(ids[4]));
        await recovering.SendChatAsync("limited", "probe", "p", ct);
        Assert.That((await recovering.ReceiveJsonAsync(ct)).GetProperty("ack").GetString(), Is.EqualTo("p"), "nothing else was replayed");
    }

    [Test]
    public async Task ACorruptDatabaseFileStopsTheStartAndIsLeftUntouched(CancellationToken ct)
    {
        var directory = NewDirectory();
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "chatter.db");
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage, ct);

        var ex = Assert.ThrowsAsync<InvalidDataException>(() => ChatterServer.StartAsync(directory: directory));
        Assert.That(ex!.Message, Does.Contain(file));
        Assert.That(await File.ReadAllBytesAsync(file, ct), Is.EqualTo(garbage));
    }

    [Test]
    public async Task ADatabaseFromANewerChatterIsRefused(CancellationToken ct)
    {
        var directory = NewDirectory();
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "chatter.db");
        await ExecuteAsync(file, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);", ct);

        var ex = Assert.ThrowsAsync<InvalidDataException>(() => ChatterServer.StartAsync(directory: directory));
        Assert.That(ex!.Message, Does.Contain("schema version 99").And.Contain(file));
    }

    [Test]
    public async Task AnOlderDatabaseIsUpgradedAtStart(CancellationToken ct)
    {
        var directory = NewDirectory();
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "chatter.db");
        // Version 0: a database with the version table and nothing else.
        await ExecuteAsync(file, "CREATE TABLE schema_version (version INTEGER NOT NULL);", ct);

        await using var server = await ChatterServer.StartAsync(directory: directory);
        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);
        await client.SendChatAsync("t", "works", "w", ct);
        Assert.That((await client.ReceiveJsonAsync(ct)).GetProperty("ack").GetString(), Is.EqualTo("w"));
    }

    [Test]
    public async Task AMessageTheStoreRefusesGetsAnErrorAndReachesNobody(CancellationToken ct)
    {
        var settings = new Dictionary<string, string?> { ["Chatter:History:BusyTimeoutSeconds"] = "1" };
        await using var server = await ChatterServer.StartAsync(settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("test3", cancellationToken: ct);

        var file = Path.Combine(server.Directory, "chatter.db");
        await using (var locker = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await locker.OpenAsync(ct);
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync(ct);
            }

            await sender.SendChatAsync("t", "lost?", "x1", ct);
            var error = await sender.ReceiveJsonAsync(ct);
            Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("message not stored"));
            Assert.That(error.GetProperty("ref").GetString(), Is.EqualTo("x1"));

            await sender.SendChatAsync("t", "lost too?", cancellationToken: ct);
            Assert.That((await sender.ReceiveJsonAsync(ct)).GetProperty("error").GetString(), Is.EqualTo("message not stored"));

            var hubError = Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => hub.SendAsync("t", "from hub", ct));
            Assert.That(hubError!.Message, Does.Contain("message not stored"));

            await using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(ct);
        }

        await sender.SendChatAsync("t", "stored", "ok", ct);
        Assert.That((await sender.ReceiveJsonAsync(ct)).GetProperty("ack").GetString(), Is.EqualTo("ok"));
        Assert.That((await receiver.ReceiveJsonAsync(ct)).GetProperty("message").GetString(), Is.EqualTo("stored"), "the refused messages were not broadcast");
        Assert.That((await hub.ReceiveAsync(cancellationToken: ct)).Message, Is.EqualTo("stored"));
        Assert.That(server.Logs.WithEventId(501).Count(), Is.EqualTo(1), "one log event for the burst of failures");
    }

    [Test]
    public async Task RetentionKeepsTheNewestMaxPerThreadAndDropsMessagesOlderThanMaxAgeDays(CancellationToken ct)
    {
        var settings = new Dictionary<string, string?> { ["Chatter:History:MaxPerThread"] = "5", ["Chatter:History:MaxAgeDays"] = "1" };
        var directory = NewDirectory();
        await using (var first = await ChatterServer.StartAsync(settings, directory: directory))
        {
            await using var client = await first.LoginRawAsync("test1", cancellationToken: ct);
            await SendAckedAsync(client, "old", 2, ct);
        }

        // Age the "old" thread by ten days, as if the server had been off that long.
        await ExecuteAsync(Path.Combine(directory, "chatter.db"), "UPDATE messages SET ts = ts - 864000000;", ct);

        await using var server = await ChatterServer.StartAsync(settings, directory: directory, writeUsersFile: false);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await ReadReplayAsync(sender, 2, ct);
        var ids = await SendAckedAsync(sender, "busy", 8, ct);

        var history = server.App.Services.GetRequiredService<SqliteChatHistory>();
        var deleted = await history.PruneAsync(ct);
        Assert.That(deleted, Is.EqualTo(3 + 2));
        Assert.That((await history.GetPageAsync("busy", null, 100, ct)).Select(m => m.Id), Is.EqualTo(ids[3..]));
        Assert.That(await history.GetPageAsync("old", null, 100, ct), Is.Empty);
    }
}
