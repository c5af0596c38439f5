using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.History;

/// <summary>kill -9 of a real server process loses no acknowledged message.</summary>
[CancelAfter(120_000)]
public class CrashTests
{
    [TestCase("full")]
    [TestCase("normal")]
    public async Task AKilledServerLosesNoAcknowledgedMessage(string synchronous, CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), """{"test1":"pass1","test2":"pass2"}""", ct);
        // Both durability settings keep what was acknowledged through a crash of the process (normal gives up only
        // the machine's power loss, which a test cannot cut).
        string[] settings = ["--Chatter:History:ReplayLimit=1000", "--Chatter:Limits:MessagesPerSecond=0", $"--Chatter:History:Synchronous={synchronous}"];

        var acked = new List<long>();
        await using (var server = await ChatterProcess.StartAsync(directory, ct, settings))
        {
            await using var client = await RawChatClient.ConnectAsync(server.WsUri, ct);
            await client.LoginAsync("test1", "pass1", cancellationToken: ct);
            Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));

            // Many in flight at once (group commits), then kill right after the last ack.
            const int count = 200;
            var sends = Enumerable.Range(0, count).Select(i => client.SendChatAsync("crash", $"m{i}", $"r{i}", ct)).ToList();
            await Task.WhenAll(sends);
            for (var i = 0; i < count; i++)
            {
                var ack = await client.ReceiveJsonAsync(ct);
                acked.Add(ack.GetProperty("id").GetInt64());
            }

            await server.KillAsync(ct);
        }

        await using var restarted = await ChatterProcess.StartAsync(directory, ct, settings);
        await using var reader = await RawChatClient.ConnectAsync(restarted.WsUri, ct);
        await reader.LoginAsync("test2", "pass2", cancellationToken: ct);
        Assert.That(await reader.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
        var replayed = new List<long>();
        for (var i = 0; i < acked.Count; i++)
        {
            replayed.Add((await reader.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64());
        }

        Assert.That(replayed, Is.EquivalentTo(acked));
        Directory.Delete(directory, recursive: true);
    }
}
