using Chatter.Protocol;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.History;

/// <summary>
/// The history contract on a private PostgreSQL (each test its own database), and what the PostgreSQL store adds:
/// retention, text kept exactly, and text PostgreSQL cannot hold refused alone.
/// </summary>
public sealed partial class PostgresChatHistoryTests : ChatHistoryFullContract
{
    private readonly PostgresStores stores = new();
    private PostgresServer postgres = null!;

    [OneTimeSetUp]
    public async Task StartPostgres() => postgres = await PostgresServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }

    [TearDown]
    public async Task StopStores() => await stores.DisposeAsync();

    protected override async Task<IChatHistory> CreateHistoryAsync(HistoryOptions options)
        => await stores.StartAsync(await postgres.CreateDatabaseAsync(), options);

    protected override Task ApplyRetentionAsync(IChatHistory history) => ((PostgresChatHistory)history).PruneAsync(CancellationToken.None);

    [Test]
    public async Task OldestMessagesOfAThreadAreDroppedPastMaxPerThread(CancellationToken ct)
    {
        var history = await stores.StartAsync(await postgres.CreateDatabaseAsync(ct), new HistoryOptions { MaxPerThread = 3 });
        for (var i = 0; i < 5; i++)
        {
            await history.AppendAsync("t", $"m{i}", "u", ct);
        }

        var other = await history.AppendAsync("other", "kept", "u", ct);

        Assert.That(await history.PruneAsync(ct), Is.EqualTo(2));
        Assert.That((await history.GetPageAsync("t", null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "m2", "m3", "m4" }));
        Assert.That(await history.GetPageAsync("other", null, 10, ct), Is.EqualTo(new[] { other }));
        Assert.That(await history.PruneAsync(ct), Is.Zero, "nothing more to remove");
    }

    [Test]
    public async Task MessagesOlderThanMaxAgeDaysAreRemovedAndIdsGoOnAboveThem(CancellationToken ct)
    {
        var clock = new SettableTimeProvider(DateTimeOffset.UtcNow.AddDays(-8));
        var history = await stores.StartAsync(await postgres.CreateDatabaseAsync(ct), new HistoryOptions { MaxAgeDays = 7 }, clock);
        await history.AppendAsync("old", "gone", "u", ct);
        var newest = await history.AppendAsync("mixed", "gone too", "u", ct);
        clock.Now = DateTimeOffset.UtcNow;
        var kept = await history.AppendAsync("mixed", "kept", "u", ct);

        Assert.That(await history.PruneAsync(ct), Is.EqualTo(2));
        var replay = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That((replay.Messages, replay.HighWater), Is.EqualTo((new[] { kept }, kept.Id)));
        Assert.That(await history.GetPageAsync("old", null, 10, ct), Is.Empty);

        // Deleting rows never lowers the counter: a later message gets an id above every id ever given.
        await history.PruneAsync(ct);
        Assert.That((await history.AppendAsync("old", "new", "u", ct)).Id, Is.GreaterThan(Math.Max(kept.Id, newest.Id)));
    }

    [Test]
    public async Task MessageTextIsStoredExactlyAsSent(CancellationToken ct)
    {
        var history = await stores.StartAsync(await postgres.CreateDatabaseAsync(ct));
        const string text = "quotes \" backslash \\ newline \n tab \t é 中文 🎉 </script> \"ts\":\"0\" '; DROP TABLE messages; --";

        var stored = await history.AppendAsync("thread \"x\"", text, "u", ct);

        var read = (await history.GetPageAsync("thread \"x\"", null, 1, ct)).Single();
        Assert.That(read, Is.EqualTo(stored));
        Assert.That(read.Message, Is.EqualTo(text));
    }

    [Test]
    public async Task TextPostgresCannotHoldIsRefusedAloneAndTheOthersOfItsBatchAreStored(CancellationToken ct)
    {
        var history = await stores.StartAsync(await postgres.CreateDatabaseAsync(ct));
        var sends = new[] { "before", "nul \0 inside", "lone \ud800 surrogate", "after" }
            .Select(text => history.AppendAsync("t", text, "u", ct).AsTask())
            .ToList();

        var refusedNul = Assert.ThrowsAsync<ChatHistoryException>(() => sends[1]);
        Assert.That(refusedNul!.Message, Does.StartWith("message not stored").And.Contains("U+0000"));
        Assert.ThrowsAsync<ChatHistoryException>(() => sends[2]);
        var stored = new[] { await sends[0], await sends[3] };
        Assert.That(await history.GetPageAsync("t", null, 10, ct), Is.EqualTo(stored));
    }

    private sealed class SettableTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
