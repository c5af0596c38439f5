using Chatter.Server.History;

namespace Chatter.Tests.History;

/// <summary>
/// The contract with what issues 15 and 16 add: an epoch, whether a replay is whole, resends stored once, read markers.
/// Every store passes it.
/// </summary>
public abstract partial class ChatHistoryFullContract : ChatHistoryContract
{
    [Test]
    public async Task AReplayIsCompleteOnlyWhenNothingAboveSinceWasLeftOutByItsBounds(CancellationToken ct)
    {
        var history = await CreateAsync();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await history.AppendAsync("a", $"a{i}", "u", ct)).Id);
            ids.Add((await history.AppendAsync("b", $"b{i}", "u", ct)).Id);
        }

        Assert.Multiple(async () =>
        {
            Assert.That((await history.GetReplayAsync(null, 3, 6, ct)).Complete, Is.True, "everything fits");
            Assert.That((await history.GetReplayAsync(null, 2, 100, ct)).Complete, Is.False, "cut per thread");
            Assert.That((await history.GetReplayAsync(null, 100, 5, ct)).Complete, Is.False, "cut in all");
            Assert.That((await history.GetReplayAsync(null, 0, 100, ct)).Complete, Is.False, "nothing replayed, something to replay");
            Assert.That((await history.GetReplayAsync(ids[1], 2, 4, ct)).Complete, Is.True, "since leaves two per thread");
            Assert.That((await history.GetReplayAsync(ids[1], 1, 100, ct)).Complete, Is.False, "since, cut per thread");
            Assert.That((await history.GetReplayAsync(ids[^1], 0, 0, ct)).Complete, Is.True, "since the last: nothing to leave out");
        });
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AReplaySinceAnIdRetentionRemovedAMessageAboveIsNotComplete(CancellationToken ct)
    {
        var history = await CreateAsync(o => o.MaxPerThread = 2);
        var first = await history.AppendAsync("t", "m0", "u", ct);
        var second = await history.AppendAsync("t", "m1", "u", ct);
        await history.AppendAsync("t", "m2", "u", ct);
        await ApplyRetentionAsync(history);

        var fromStart = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That(fromStart.Messages.Select(m => m.Message), Is.EqualTo(new[] { "m1", "m2" }), "m0 removed");
        Assert.That(fromStart.Complete, Is.False, "m0 was newer than since 0 and is gone");
        Assert.That((await history.GetReplayAsync(first.Id, 100, 100, ct)).Complete, Is.True, "nothing newer than m0 is gone");
        Assert.That((await history.GetReplayAsync(second.Id, 100, 100, ct)).Complete, Is.True);
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task TheEpochIsTheSameForEveryReplayOfAStoreAndDiffersBetweenStores(CancellationToken ct)
    {
        var one = await CreateAsync();
        var other = await CreateAsync();
        await one.AppendAsync("t", "m", "u", ct);
        await other.AppendAsync("t", "m", "u", ct);

        var epoch = (await one.GetReplayAsync(null, 10, 10, ct)).Epoch;
        await one.AppendAsync("t", "m2", "u", ct);
        Assert.That(epoch, Is.Not.Empty);
        Assert.That((await one.GetReplayAsync(5, 10, 10, ct)).Epoch, Is.EqualTo(epoch));
        Assert.That((await other.GetReplayAsync(null, 10, 10, ct)).Epoch, Is.Not.EqualTo(epoch));
        await DisposeHistoryAsync(one);
        await DisposeHistoryAsync(other);
    }

    [Test]
    public async Task TheEpochOfAnEmptyStoreIsTheOneItKeepsOnceMessagesAreStored(CancellationToken ct)
    {
        var history = await CreateAsync();
        var empty = await history.GetReplayAsync(null, 10, 10, ct);
        await history.AppendAsync("t", "m", "u", ct);
        Assert.That((await history.GetReplayAsync(empty.HighWater, 10, 10, ct)).Epoch, Is.EqualTo(empty.Epoch));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task APostRepeatingOneOfItsUsersWithTheSameRefThreadAndTextIsAnsweredWithTheOriginalAndStoredOnce(CancellationToken ct)
    {
        var history = await CreateAsync();
        var original = await history.AppendAsync(new ChatPost("t", "hello", "alice", "r1"), ct);
        var again = await history.AppendAsync(new ChatPost("t", "hello", "alice", "r1"), ct);
        var otherText = await history.AppendAsync(new ChatPost("t", "hello!", "alice", "r1"), ct);
        var otherThread = await history.AppendAsync(new ChatPost("u", "hello", "alice", "r1"), ct);
        var otherUser = await history.AppendAsync(new ChatPost("t", "hello", "bob", "r1"), ct);
        var noRef = await history.AppendAsync(new ChatPost("t", "hello", "alice", null), ct);
        var noRefAgain = await history.AppendAsync(new ChatPost("t", "hello", "alice", null), ct);

        Assert.Multiple(() =>
        {
            Assert.That(original.Resent, Is.False);
            Assert.That(again, Is.EqualTo(new ChatPosted(original.Message, Resent: true)), "same id and ts");
            Assert.That(new[] { otherText, otherThread, otherUser, noRef, noRefAgain }.Select(p => p.Resent), Is.All.False);
            Assert.That(new[] { otherText, otherThread, otherUser, noRef, noRefAgain }.Select(p => p.Message.Id), Is.Unique.And.All.GreaterThan(original.Message.Id));
        });
        var stored = await history.GetPageAsync(null, null, 100, ct);
        Assert.That(stored, Has.Count.EqualTo(6), "the resend is not stored");
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task WithDedupeOffEveryPostIsStored(CancellationToken ct)
    {
        var history = await CreateAsync(o => o.DedupeMinutes = 0);
        var first = await history.AppendAsync(new ChatPost("t", "hello", "alice", "r1"), ct);
        var second = await history.AppendAsync(new ChatPost("t", "hello", "alice", "r1"), ct);
        Assert.That((first.Resent, second.Resent, second.Message.Id > first.Message.Id), Is.EqualTo((false, false, true)));
        await DisposeHistoryAsync(history);
    }
}
