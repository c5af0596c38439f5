using Chatter.Server.History;

namespace Chatter.Tests.History;

/// <summary>Direct messages in the store: kept once under the pair's key, read only by its two users.</summary>
public abstract partial class ChatHistoryFullContract
{
    [Test]
    public async Task ADirectThreadIsReadOnlyByItsTwoUsersInReplaysAndPages(CancellationToken ct)
    {
        var history = await CreateAsync();
        var key = DirectThread.Key("bob", "alice");
        var open = await history.AppendAsync("general", "public", "carol", ct);
        var secret = await history.AppendAsync(key, "private", "alice", ct);
        var other = await history.AppendAsync(DirectThread.Key("carol", "dave"), "theirs", "carol", ct);

        Assert.Multiple(async () =>
        {
            foreach (var member in new[] { "alice", "bob" })
            {
                Assert.That(Ids((await history.GetReplayAsync(member, null, 10, 10, ct)).Messages), Is.EqualTo(new[] { open.Id, secret.Id }), $"{member}'s replay");
                Assert.That(Ids(await history.GetPageAsync(member, null, null, 10, ct)), Is.EqualTo(new[] { open.Id, secret.Id }), $"{member}'s page of all");
                Assert.That(Ids(await history.GetPageAsync(member, key, null, 10, ct)), Is.EqualTo(new[] { secret.Id }), $"{member}'s page of the pair");
            }

            foreach (var outsider in new[] { "carol", null })
            {
                var replay = await history.GetReplayAsync(outsider, null, 10, 10, ct);
                Assert.That(Ids(replay.Messages), Does.Not.Contain(secret.Id), $"{outsider ?? "nobody"}'s replay");
                Assert.That(replay.Complete, Is.True, "what a reader may not see is not missing from its replay");
                Assert.That(replay.HighWater, Is.EqualTo(other.Id), "the high-water id counts every message");
                Assert.That(Ids(await history.GetPageAsync(outsider, null, null, 10, ct)), Does.Not.Contain(secret.Id), $"{outsider ?? "nobody"}'s page of all");
                Assert.That(await history.GetPageAsync(outsider, key, null, 10, ct), Is.Empty, $"{outsider ?? "nobody"}'s page of the pair");
            }

            Assert.That(Ids((await history.GetReplayAsync("carol", null, 10, 10, ct)).Messages), Is.EqualTo(new[] { open.Id, other.Id }), "carol's own pair");
            Assert.That(Ids((await history.GetReplayAsync("alice", open.Id, 10, 10, ct)).Messages), Is.EqualTo(new[] { secret.Id }), "since");
        });
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task APageOfAllThreadsReadsPastOtherPairsMessagesUntilItIsFull(CancellationToken ct)
    {
        var history = await CreateAsync();
        var mine = await history.AppendAsync("general", "mine", "carol", ct);
        for (var i = 0; i < 30; i++)
        {
            await history.AppendAsync(DirectThread.Key("alice", "bob"), $"p{i}", "alice", ct);
        }

        var page = await history.GetPageAsync("carol", null, null, 5, ct);
        Assert.That(Ids(page), Is.EqualTo(new[] { mine.Id }));
        await DisposeHistoryAsync(history);
    }

    [TestCase("@5:alice|bob", true)]
    [TestCase("@3:bob|alice", false)]
    [TestCase("@9:alice|bob", false)]
    [TestCase("@x:alice|bob", false)]
    [TestCase("@bob", false)]
    [TestCase("general", false)]
    public void OnlyACanonicalKeyNamesAPair(string stored, bool direct)
        => Assert.That(DirectThread.TryParse(stored, out _, out _), Is.EqualTo(direct));

    private static long[] Ids(IEnumerable<Chatter.Protocol.ChatMessage> messages) => [.. messages.Select(m => m.Id)];
}
