using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Recovery;

/// <summary>
/// Issue 15, point 1: after the replay a v2 raw connection gets <c>{"recovered","upTo","epoch"}</c>; recovered is false
/// exactly when the login's since could not be honoured in full (ReplayLimit, ReplayMaxTotal, retention, another
/// epoch), and then the replay is a new client's. A login without "v": 2 sees nothing new.
/// </summary>
[CancelAfter(60_000)]
public class RecoveryAnswerTests
{
    [Test]
    public async Task AV2LoginGetsTheReplayThenRecoveredTrueUpToTheHighWaterAndTheEpoch(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var ids = await StoreAsync(server, ct, "a", "a", "b");

        await using var again = await server.AssertLoginAndResumeAsync("test2", ids, ct);
        await again.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task ALoginWithoutV2GetsNoRecoveryAnswer(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var ids = await StoreAsync(server, ct, "a", "b");

        await using var client = await server.LoginRawAsync("test2", cancellationToken: ct);
        Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(ids[0]));
        Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(ids[1]));
        await client.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [TestCase("Chatter:History:ReplayLimit", "2")]
    [TestCase("Chatter:History:ReplayMaxTotal", "2")]
    public async Task ABoundThatLeavesAMessageAboveSinceOutAnswersRecoveredFalse(string bound, string value, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>(ChatterServer.NoRateLimit) { [bound] = value });
        var ids = await StoreAsync(server, ct, "a", "a", "a");

        var (client, answer) = await server.LoginV2Async("test2", since: 0, cancellationToken: ct);
        await using var _ = client;
        Assert.That(answer.Replay.Select(m => m.Id), Is.EqualTo(ids.Skip(1)), "the newest two");
        Assert.That((answer.Recovered, answer.UpTo), Is.EqualTo((false, ids[^1])));

        var (fits, resumed) = await server.LoginV2Async("test2", since: ids[0], epoch: answer.Epoch, cancellationToken: ct);
        await using var __ = fits;
        Assert.That((resumed.Recovered, resumed.Replay.Count), Is.EqualTo((true, 2)), "since the first, the rest fits");
    }

    [Test]
    public async Task AMessageAboveSinceThatRetentionRemovedAnswersRecoveredFalse(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>(ChatterServer.NoRateLimit)
        {
            ["Chatter:History:Store"] = "memory",
            ["Chatter:History:MaxPerThread"] = "2",
        });
        var ids = await StoreAsync(server, ct, "a", "a", "a");

        var (client, answer) = await server.LoginV2Async("test2", since: 0, cancellationToken: ct);
        await using var _ = client;
        Assert.That((answer.Recovered, answer.Replay.Count), Is.EqualTo((false, 2)), "the first was dropped past MaxPerThread");

        var (later, resumed) = await server.LoginV2Async("test2", since: ids[0], epoch: answer.Epoch, cancellationToken: ct);
        await using var __ = later;
        Assert.That((resumed.Recovered, resumed.Replay.Count), Is.EqualTo((true, 2)));
    }

    [Test]
    public async Task AnotherEpochAnswersRecoveredFalseWithTheReplayOfANewClient(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var ids = await StoreAsync(server, ct, "a", "b", "c");

        var (client, answer) = await server.LoginV2Async("test2", since: ids[1], epoch: "not-this-store", cancellationToken: ct);
        await using var _ = client;
        Assert.That(answer.Replay.Select(m => m.Id), Is.EqualTo(ids), "since ignored: ids of another history mean nothing here");
        Assert.That((answer.Recovered, answer.UpTo), Is.EqualTo((false, ids[^1])));
        Assert.That(answer.Epoch, Is.Not.EqualTo("not-this-store"));
    }

    [Test]
    public async Task ANewHistoryFileIsANewEpoch(CancellationToken ct)
    {
        string epoch;
        await using (var first = await ChatterServer.StartAsync())
        {
            var (client, answer) = await first.LoginV2Async("test2", cancellationToken: ct);
            await client.DisposeAsync();
            epoch = answer.Epoch;
        }

        await using var second = await ChatterServer.StartAsync();
        var (again, other) = await second.LoginV2Async("test2", since: 5, epoch: epoch, cancellationToken: ct);
        await using var _ = again;
        Assert.That((other.Recovered, other.Epoch == epoch), Is.EqualTo((false, false)));
    }

    [Test]
    public async Task TheEpochOfAHistoryFileSurvivesARestart(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        long id;
        RawRecoveryAnswer before;
        await using (var first = await ChatterServer.StartAsync(directory: directory))
        {
            id = (await StoreAsync(first, ct, "a"))[0];
            var (client, answer) = await first.LoginV2Async("test2", cancellationToken: ct);
            await client.DisposeAsync();
            before = answer;
        }

        await using var second = await ChatterServer.StartAsync(directory: directory);
        var (again, after) = await second.LoginV2Async("test2", since: id, epoch: before.Epoch, cancellationToken: ct);
        await using var _ = again;
        Assert.That((after.Recovered, after.UpTo, after.Epoch), Is.EqualTo((before.Recovered, before.UpTo, before.Epoch)));
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Stores one message per thread named, in order, from test1; answers their ids.</summary>
    internal static async Task<List<long>> StoreAsync(ChatterServer server, CancellationToken ct, params string[] threads)
    {
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var ids = new List<long>();
        for (var i = 0; i < threads.Length; i++)
        {
            ids.Add((await sender.SendAndAckAsync(threads[i], $"m{i}", $"r{i}", ct)).Id);
        }

        return ids;
    }
}
