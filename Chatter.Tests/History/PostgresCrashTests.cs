using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.History;

/// <summary>kill -9 of real server processes sharing one PostgreSQL database loses no acknowledged message.</summary>
[CancelAfter(120_000)]
public sealed class PostgresCrashTests : PostgresTestBase
{
    [Test]
    public async Task KilledNodesOnOneDatabaseLoseNoAcknowledgedMessage(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), """{"test1":"pass1","test2":"pass2","test3":"pass3"}""", ct);
        string[] settings = [.. PostgresNodesTests.Settings(await Postgres.CreateDatabaseAsync(ct)).Select(s => $"--{s.Key}={s.Value}"), "--Chatter:History:ReplayLimit=1000"];

        var acked = new List<long>();
        await using (var a = await ChatterProcess.StartAsync(directory, ct, settings))
        await using (var b = await ChatterProcess.StartAsync(directory, ct, settings))
        {
            // Two nodes, many messages in flight on each at once (group commits racing for the id counter), then both
            // killed right after their last ack.
            const int count = 200;
            var senders = new[] { (a, "test1", "pass1"), (b, "test2", "pass2") }.Select(async node =>
            {
                await using var client = await RawChatClient.ConnectAsync(node.Item1.WsUri, ct);
                await client.LoginAsync(node.Item2, node.Item3, cancellationToken: ct);
                Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
                await Task.WhenAll(Enumerable.Range(0, count).Select(i => client.SendChatAsync($"crash-{node.Item2}", $"m{i}", $"r{i}", ct)));
                var ids = new List<long>();
                for (var i = 0; i < count; i++)
                {
                    ids.Add((await client.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64());
                }

                return ids;
            }).ToList();
            foreach (var ids in await Task.WhenAll(senders))
            {
                acked.AddRange(ids);
            }

            await a.KillAsync(ct);
            await b.KillAsync(ct);
        }

        await using var restarted = await ChatterProcess.StartAsync(directory, ct, settings);
        await using var reader = await RawChatClient.ConnectAsync(restarted.WsUri, ct);
        await reader.LoginAsync("test3", "pass3", cancellationToken: ct);
        Assert.That(await reader.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
        var replayed = new List<long>();
        for (var i = 0; i < acked.Count; i++)
        {
            replayed.Add((await reader.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64());
        }

        Assert.That(replayed, Is.EquivalentTo(acked));
        Assert.That(replayed, Is.Ordered.Ascending, "the replay is in id order");
        Directory.Delete(directory, recursive: true);
    }
}
