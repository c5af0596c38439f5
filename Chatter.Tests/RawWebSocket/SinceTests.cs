using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary><c>"since": &lt;id&gt;</c> in the login frame: replay only messages with a greater id, still within the replay bounds.</summary>
[CancelAfter(60_000)]
public class SinceTests
{
    [Test]
    public async Task LoginWithSinceReplaysOnlyMessagesWithAGreaterId(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var ids = await StoreAsync(server, ["a", "b", "a", "b", "a"], ct);

        await using var client = await server.LoginRawAsync("test2", since: ids[2], cancellationToken: ct);

        Assert.That(await ReceiveIdsAsync(client, 2, ct), Is.EqualTo(ids[3..]));
        await client.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task SinceTheNewestIdReplaysNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var ids = await StoreAsync(server, ["a", "b", "a"], ct);

        await using var client = await server.LoginRawAsync("test2", since: ids[^1], cancellationToken: ct);

        await client.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task SinceBelowEveryIdReplaysEverything(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var ids = await StoreAsync(server, ["a", "b", "a"], ct);

        await using var client = await server.LoginRawAsync("test2", since: 0, cancellationToken: ct);

        Assert.That(await ReceiveIdsAsync(client, 3, ct), Is.EqualTo(ids));
        await client.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task SinceStaysWithinTheReplayLimitOfEachThread(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:History:ReplayLimit"] = "2" });
        var ids = await StoreAsync(server, ["a", "a", "a", "a", "a", "b"], ct);

        await using var client = await server.LoginRawAsync("test2", since: ids[0], cancellationToken: ct);

        // Of thread a after ids[0]: ids[1..4], the newest two of them; of thread b: ids[5].
        Assert.That(await ReceiveIdsAsync(client, 3, ct), Is.EqualTo(new[] { ids[3], ids[4], ids[5] }));
        await client.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task SinceStaysWithinTheReplayMaxTotal(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:History:ReplayMaxTotal"] = "2" });
        var ids = await StoreAsync(server, ["a", "b", "c", "a", "b"], ct);

        await using var client = await server.LoginRawAsync("test2", since: ids[1], cancellationToken: ct);

        Assert.That(await ReceiveIdsAsync(client, 2, ct), Is.EqualTo(ids[3..]));
        await client.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task ReconnectWithTheLastSeenIdMissesNothingAndRepeatsNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        long lastSeen;
        await using (var first = await server.LoginRawAsync("test2", cancellationToken: ct))
        {
            await sender.SendAndAckAsync("t", "seen", "r1", ct);
            lastSeen = (await first.ReceiveMessageAsync(ct)).Id;
        }

        var missed = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add((await sender.SendAndAckAsync("t", $"missed {i}", $"m{i}", ct)).Id);
        }

        await using var again = await server.LoginRawAsync("test2", since: lastSeen, cancellationToken: ct);
        Assert.That(await ReceiveIdsAsync(again, 3, ct), Is.EqualTo(missed));

        var live = await sender.SendAndAckAsync("t", "live", "r2", ct);
        var next = await again.ReceiveMessageAsync(ct);
        Assert.That((next.Id, next.Message), Is.EqualTo((live.Id, "live")));
    }

    /// <summary>test1 stores one message per thread name, in order; their ids.</summary>
    private static async Task<long[]> StoreAsync(ChatterServer server, string[] threads, CancellationToken ct)
    {
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var ids = new long[threads.Length];
        for (var i = 0; i < threads.Length; i++)
        {
            ids[i] = (await sender.SendAndAckAsync(threads[i], $"m{i}", $"r{i}", ct)).Id;
        }

        return ids;
    }

    private static async Task<long[]> ReceiveIdsAsync(RawChatClient client, int count, CancellationToken ct)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (await client.ReceiveMessageAsync(ct)).Id;
        }

        return ids;
    }
}
