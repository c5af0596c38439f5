using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.History;

/// <summary>What the stores promise for edits and deletes (issue 16, point 4): the author's only (deletes: admins' too), atomic, and what every read returns afterwards.</summary>
public abstract partial class ChatHistoryFullContract
{
    /// <summary>The same store opened again as after a restart (the old one stopped); null for a store that does not outlive its process.</summary>
    protected virtual Task<IChatHistory?> ReopenAsync(IChatHistory history) => Task.FromResult<IChatHistory?>(null);

    [Test]
    public async Task TheAuthorsEditChangesTheTextInReplayAndPagesAndSetsEditedTs(CancellationToken ct)
    {
        var history = await CreateAsync();
        var first = await history.AppendAsync("t", "helo", "alice", ct);
        var second = await history.AppendAsync("t", "second", "bob", ct);

        var result = await history.EditAsync(new ChatEdit(first.Id, "alice", "hello"), ct);
        Assert.That(result.Outcome, Is.EqualTo(ChatChangeOutcome.Done));
        var edited = result.Message!;
        Assert.Multiple(() =>
        {
            Assert.That(edited with { EditedTs = null }, Is.EqualTo(first with { Message = "hello" }), "same id, thread, author and ts");
            Assert.That(edited.EditedTs, Is.GreaterThanOrEqualTo(first.Ts));
            Assert.That(edited.EditedTs!.Value.Ticks % TimeSpan.TicksPerMillisecond, Is.Zero);
        });
        Assert.That((await history.GetReplayAsync(null, 10, 10, ct)).Messages, Is.EqualTo(new[] { edited, second }));
        Assert.That(await history.GetReplayAsync(first.Id - 1, 10, 10, ct) is { Messages: [var sinceFirst, _] } && sinceFirst == edited, Is.True, "since");
        Assert.That(await history.GetPageAsync("t", null, 10, ct), Is.EqualTo(new[] { edited, second }));
        Assert.That(await history.GetPageAsync(null, second.Id, 10, ct), Is.EqualTo(new[] { edited }));

        var again = (await history.EditAsync(new ChatEdit(first.Id, "alice", "hello again"), ct)).Message!;
        Assert.That((await history.GetPageAsync(null, null, 10, ct))[0], Is.EqualTo(again), "edited twice: the last text");
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AnEditOrDeleteByAnotherUserIsRefusedAndChangesNothing(CancellationToken ct)
    {
        var history = await CreateAsync();
        var message = await history.AppendAsync("t", "mine", "alice", ct);

        Assert.That(await history.EditAsync(new ChatEdit(message.Id, "bob", "theirs"), ct), Is.EqualTo(ChatEditResult.NotYours));
        Assert.That(await history.DeleteAsync(new ChatDelete(message.Id, "bob", AsAdmin: false), ct), Is.EqualTo(new ChatDeleteResult(ChatChangeOutcome.NotYours, "t", "alice")));
        Assert.That(await history.GetPageAsync(null, null, 10, ct), Is.EqualTo(new[] { message }));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AnAdminMayDeleteAnyonesMessageAndTheAuthorTheirOwn(CancellationToken ct)
    {
        var history = await CreateAsync();
        var bobs = await history.AppendAsync("t", "bob's", "bob", ct);
        var alices = await history.AppendAsync("u", "alice's", "alice", ct);
        var kept = await history.AppendAsync("t", "kept", "bob", ct);

        Assert.That(await history.DeleteAsync(new ChatDelete(bobs.Id, "admin", AsAdmin: true), ct), Is.EqualTo(new ChatDeleteResult(ChatChangeOutcome.Done, "t", "bob")));
        Assert.That(await history.DeleteAsync(new ChatDelete(alices.Id, "alice", AsAdmin: false), ct), Is.EqualTo(new ChatDeleteResult(ChatChangeOutcome.Done, "u", "alice")));

        Assert.That(await history.GetPageAsync(null, null, 10, ct), Is.EqualTo(new[] { kept }));
        Assert.That(await history.GetPageAsync("u", null, 10, ct), Is.Empty);
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AnUnknownOrDeletedMessageIsNotFound(CancellationToken ct)
    {
        var history = await CreateAsync();
        var message = await history.AppendAsync("t", "gone soon", "alice", ct);
        await history.DeleteAsync(new ChatDelete(message.Id, "alice", AsAdmin: false), ct);

        Assert.Multiple(async () =>
        {
            Assert.That(await history.EditAsync(new ChatEdit(message.Id, "alice", "too late"), ct), Is.EqualTo(ChatEditResult.NotFound));
            Assert.That(await history.DeleteAsync(new ChatDelete(message.Id, "alice", AsAdmin: true), ct), Is.EqualTo(ChatDeleteResult.NotFound));
            Assert.That(await history.EditAsync(new ChatEdit(message.Id + 1_000, "alice", "none"), ct), Is.EqualTo(ChatEditResult.NotFound));
            Assert.That(await history.DeleteAsync(new ChatDelete(message.Id + 1_000, "alice", AsAdmin: false), ct), Is.EqualTo(ChatDeleteResult.NotFound));
        });
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task DeletedMessagesAreLeftOutOfReplaySinceAndPagesAndTheReplayStaysCompleteAndItsHighWaterExact(CancellationToken ct)
    {
        var history = await CreateAsync();
        var a = new List<ChatMessage>();
        var b = new List<ChatMessage>();
        for (var i = 0; i < 3; i++)
        {
            a.Add(await history.AppendAsync("a", $"a{i}", "u", ct));
            b.Add(await history.AppendAsync("b", $"b{i}", "u", ct));
        }

        // The newest of b (its thread's last id), and a thread's only message: the per-thread bookkeeping must follow.
        await history.DeleteAsync(new ChatDelete(b[2].Id, "u", AsAdmin: false), ct);
        await history.DeleteAsync(new ChatDelete(a[1].Id, "u", AsAdmin: false), ct);
        var lonely = await history.AppendAsync("c", "c0", "u", ct);
        await history.DeleteAsync(new ChatDelete(lonely.Id, "u", AsAdmin: false), ct);

        var replay = await history.GetReplayAsync(null, 10, 10, ct);
        Assert.Multiple(async () =>
        {
            Assert.That(replay.Messages.Select(m => m.Message), Is.EqualTo(new[] { "a0", "b0", "b1", "a2" }));
            Assert.That((replay.HighWater, replay.Complete), Is.EqualTo((lonely.Id, true)), "deleted ids are absent, not missing");
            var since = await history.GetReplayAsync(b[1].Id, 10, 10, ct);
            Assert.That((since.Messages.Select(m => m.Message), since.Complete), Is.EqualTo((new[] { "a2" }, true)));
            Assert.That((await history.GetReplayAsync(a[2].Id, 10, 10, ct)).Complete, Is.True, "nothing above since but deleted ones");
            Assert.That((await history.GetReplayAsync(null, 1, 100, ct)).Complete, Is.False, "each thread still holds two");
            Assert.That((await history.GetReplayAsync(null, 2, 100, ct)).Complete, Is.True, "two per thread is all that is left");
            Assert.That((await history.GetReplayAsync(null, 100, 3, ct)).Complete, Is.False, "four are left in all");
            Assert.That((await history.GetReplayAsync(null, 100, 4, ct)).Complete, Is.True, "the four left fit");
            Assert.That((await history.GetPageAsync("b", null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "b0", "b1" }));
            Assert.That((await history.GetPageAsync(null, null, 2, ct)).Select(m => m.Message), Is.EqualTo(new[] { "b1", "a2" }));
            Assert.That(await history.GetPageAsync("c", null, 10, ct), Is.Empty);
        });

        var next = await history.AppendAsync("c", "c1", "u", ct);
        Assert.That(next.Id, Is.GreaterThan(lonely.Id), "ids are never reused");
        Assert.That((await history.GetReplayAsync(lonely.Id, 10, 10, ct)).Messages, Is.EqualTo(new[] { next }));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AReplaySinceStaysCompleteWhenTheThreadWithTheNewestIdLostItsNewestMessage(CancellationToken ct)
    {
        // One thread's newest message deleted, the rest of it below since, and total 1: the thread left with only old
        // messages must not take the place of the one with a message above since.
        var history = await CreateAsync();
        await history.AppendAsync("old", "o0", "u", ct);
        var since = await history.AppendAsync("x", "x0", "u", ct);
        var wanted = await history.AppendAsync("new", "n0", "u", ct);
        var newest = await history.AppendAsync("old", "o1", "u", ct);
        await history.DeleteAsync(new ChatDelete(newest.Id, "u", AsAdmin: false), ct);

        var replay = await history.GetReplayAsync(since.Id, 10, 1, ct);
        Assert.That((replay.Messages, replay.Complete), Is.EqualTo((new[] { wanted }, true)));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AnEditAndADeleteAreThereAfterARestart(CancellationToken ct)
    {
        var history = await CreateAsync();
        var edited = await history.AppendAsync("t", "before", "alice", ct);
        var deleted = await history.AppendAsync("t", "gone", "alice", ct);
        var after = (await history.EditAsync(new ChatEdit(edited.Id, "alice", "after"), ct)).Message!;
        await history.DeleteAsync(new ChatDelete(deleted.Id, "alice", AsAdmin: false), ct);

        // A store that does not outlive its process (memory) is checked for as long as it lives: the same instance.
        var reopened = await ReopenAsync(history) ?? history;

        Assert.That((await reopened.GetReplayAsync(null, 10, 10, ct)).Messages, Is.EqualTo(new[] { after }));
        Assert.That(await reopened.EditAsync(new ChatEdit(deleted.Id, "alice", "back?"), ct), Is.EqualTo(ChatEditResult.NotFound));
        await DisposeHistoryAsync(reopened);
    }
}
