using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// History replayed to a client that logs in: one text frame per message, oldest first by id across threads,
/// the newest <c>Chatter:History:ReplayLimit</c> of each thread and of those the newest <c>Chatter:History:ReplayMaxTotal</c>.
/// </summary>
[CancelAfter(60_000)]
public class ReplayTests
{
    [Test]
    public async Task LateJoinerReceivesEachStoredMessageAsOneFrameWithEveryField(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var sent = new List<(string Thread, string Message, string From, RawAck Ack)>();
        await using (var test1 = await server.LoginRawAsync("test1", cancellationToken: ct))
        await using (var alice = await server.LoginRawAsync("alice", cancellationToken: ct))
        {
            sent.Add(("test1", "Hello World!", "test1", await test1.SendAndAckAsync("test1", "Hello World!", "r1", ct)));
            await alice.ReceiveMessageAsync(ct);
            sent.Add(("general", "hi from alice", "alice", await alice.SendAndAckAsync("general", "hi from alice", "r2", ct)));
            await test1.ReceiveMessageAsync(ct);
            sent.Add(("test1", "second", "test1", await test1.SendAndAckAsync("test1", "second", "r3", ct)));
        }

        await using var late = await server.LoginRawAsync("test2", cancellationToken: ct);
        var replay = new List<RawChatMessage>();
        foreach (var _ in sent)
        {
            replay.Add(await late.ReceiveMessageAsync(ct));
        }

        Assert.That(replay, Is.EqualTo(sent.Select(s => new RawChatMessage(s.Thread, s.Message, s.From, s.From, s.Ack.Id, s.Ack.Ts))));
        await late.AssertNothingBeforeOwnAckAsync("test2", ct);
    }

    [Test]
    public async Task ReplayIsOldestFirstByIdAcrossThreads(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var ids = new List<long>();
        await using (var sender = await server.LoginRawAsync("test1", cancellationToken: ct))
        {
            foreach (var (thread, n) in new[] { ("b", 0), ("a", 1), ("c", 2), ("a", 3), ("b", 4), ("c", 5) })
            {
                ids.Add((await sender.SendAndAckAsync(thread, $"m{n}", $"r{n}", ct)).Id);
            }
        }

        await using var late = await server.LoginRawAsync("test2", cancellationToken: ct);
        var replayed = new List<long>();
        for (var i = 0; i < ids.Count; i++)
        {
            replayed.Add((await late.ReceiveMessageAsync(ct)).Id);
        }

        Assert.That(ids, Is.Ordered.Ascending.And.Unique);
        Assert.That(replayed, Is.EqualTo(ids));
    }

    [Test]
    public async Task EmptyHistoryReplaysNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);

        await client.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task ReplayHoldsOnlyTheNewestReplayLimitOfEachThread(CancellationToken ct)
        => await AssertBoundedReplayAsync(perThread: 2, total: 1000, ["a", "b", "a", "c", "a", "c", "a", "b", "a", "c", "d"], ct);

    [Test]
    public async Task ReplayHoldsOnlyTheNewestReplayMaxTotalInAll(CancellationToken ct)
        => await AssertBoundedReplayAsync(perThread: 100, total: 4, ["a", "b", "a", "c", "b", "a", "c"], ct);

    [Test]
    public async Task ReplayAppliesBothBoundsTogether(CancellationToken ct)
        => await AssertBoundedReplayAsync(perThread: 3, total: 5, ["a", "b", "a", "c", "a", "c", "a", "b", "a", "c", "c"], ct);

    [Test]
    public async Task ReplayLimitCountsEachThreadApartFromTheOthers(CancellationToken ct)
        => await AssertBoundedReplayAsync(perThread: 1, total: 1000, ["busy", "busy", "busy", "quiet", "busy", "busy"], ct);

    /// <summary>
    /// Stores one message per entry of <paramref name="threads"/>, then checks a late joiner receives exactly the
    /// contract's selection: the newest <paramref name="perThread"/> of each thread, of those the newest <paramref name="total"/>, by id.
    /// </summary>
    private static async Task AssertBoundedReplayAsync(int perThread, int total, string[] threads, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:History:ReplayLimit"] = perThread.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chatter:History:ReplayMaxTotal"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var stored = new List<(string Thread, long Id)>();
        await using (var sender = await server.LoginRawAsync("test1", cancellationToken: ct))
        {
            for (var i = 0; i < threads.Length; i++)
            {
                stored.Add((threads[i], (await sender.SendAndAckAsync(threads[i], $"m{i}", $"r{i}", ct)).Id));
            }
        }

        var expected = stored
            .GroupBy(s => s.Thread)
            .SelectMany(thread => thread.OrderBy(s => s.Id).TakeLast(perThread))
            .OrderBy(s => s.Id)
            .TakeLast(total)
            .Select(s => s.Id)
            .ToList();

        await using var late = await server.LoginRawAsync("test2", cancellationToken: ct);
        var replayed = new List<long>();
        foreach (var _ in expected)
        {
            replayed.Add((await late.ReceiveMessageAsync(ct)).Id);
        }

        Assert.That(replayed, Is.EqualTo(expected), $"replay of {perThread} per thread, {total} in all");
        await late.AssertNothingBeforeOwnAckAsync("probe", ct);
    }
}
