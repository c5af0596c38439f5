using Chatter.Protocol;
using Chatter.Server.History;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.History;

/// <summary>What every history store promises, run against each store.</summary>
[CancelAfter(60_000)]
public abstract class ChatHistoryContract
{
    protected abstract Task<IChatHistory> CreateHistoryAsync(HistoryOptions options);

    protected virtual Task DisposeHistoryAsync(IChatHistory history) => Task.CompletedTask;

    /// <summary>Applies MaxPerThread now, for stores whose retention runs in the background (SQLite); others apply it on append.</summary>
    protected virtual Task ApplyRetentionAsync(IChatHistory history) => Task.CompletedTask;

    protected async Task<IChatHistory> CreateAsync(Action<HistoryOptions>? configure = null)
    {
        var options = new HistoryOptions();
        configure?.Invoke(options);
        return await CreateHistoryAsync(options);
    }

    [Test]
    public async Task AppendGivesIncreasingIdsAndMillisecondUtcTimestamps(CancellationToken ct)
    {
        var history = await CreateAsync();
        var a = await history.AppendAsync("t1", "one", "u", ct);
        var b = await history.AppendAsync("t2", "two", "u", ct);
        Assert.That(b.Id, Is.GreaterThan(a.Id));
        Assert.That(a.Ts.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(a.Ts.Ticks % TimeSpan.TicksPerMillisecond, Is.Zero);
        Assert.That(a, Is.EqualTo(new ChatMessage("t1", "one", "u", a.Id, a.Ts)));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task ReplayIsOldestFirstAndBoundedPerThreadAndInAll(CancellationToken ct)
    {
        var history = await CreateAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await history.AppendAsync("a", $"a{i}", "u", ct)).Id);
            ids.Add((await history.AppendAsync("b", $"b{i}", "u", ct)).Id);
        }

        var perThread = (await history.GetReplayAsync(null, 2, 100, ct)).Messages;
        Assert.That(perThread.Select(m => m.Message), Is.EqualTo(new[] { "a3", "b3", "a4", "b4" }));

        var total = (await history.GetReplayAsync(null, 100, 3, ct)).Messages;
        Assert.That(total.Select(m => m.Message), Is.EqualTo(new[] { "b3", "a4", "b4" }));

        var since = (await history.GetReplayAsync(ids[6], 100, 100, ct)).Messages;
        Assert.That(since.Select(m => m.Id), Is.EqualTo(ids.Skip(7)));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task ReplayHighWaterIsTheLastAppendedIdWhateverTheReplayLeavesOut(CancellationToken ct)
    {
        var history = await CreateAsync();
        ChatMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            await history.AppendAsync("a", $"a{i}", "u", ct);
            last = await history.AppendAsync("b", $"b{i}", "u", ct);
        }

        var all = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That(all.HighWater, Is.EqualTo(last.Id));
        Assert.That(all.Messages[^1], Is.EqualTo(last));

        // Bounds and since that leave messages out (the newest among them) do not lower it.
        Assert.That((await history.GetReplayAsync(null, 1, 1, ct)).HighWater, Is.EqualTo(last.Id), "bounds");
        Assert.That((await history.GetReplayAsync(null, 0, 0, ct)).HighWater, Is.EqualTo(last.Id), "nothing replayed");
        var since = await history.GetReplayAsync(last.Id, 100, 100, ct);
        Assert.That((since.Messages, since.HighWater), Is.EqualTo((Array.Empty<ChatMessage>(), last.Id)), "since the last");
        Assert.That((await history.GetReplayAsync(last.Id + 1_000, 100, 100, ct)).HighWater, Is.EqualTo(last.Id), "since beyond the last");
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task ReplayOfAnEmptyStoreHasHighWaterZero(CancellationToken ct)
    {
        var history = await CreateAsync();
        var replay = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That((replay.Messages, replay.HighWater), Is.EqualTo((Array.Empty<ChatMessage>(), 0L)));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task AMessageAppendedAfterAReplayGetsAnIdAboveItsHighWater(CancellationToken ct)
    {
        var history = await CreateAsync();
        var empty = await history.GetReplayAsync(null, 100, 100, ct);
        var first = await history.AppendAsync("t", "first", "u", ct);
        Assert.That(first.Id, Is.GreaterThan(empty.HighWater));

        var replay = await history.GetReplayAsync(null, 100, 100, ct);
        var next = await history.AppendAsync("other", "next", "u", ct);
        Assert.That(replay.HighWater, Is.EqualTo(first.Id));
        Assert.That(next.Id, Is.GreaterThan(replay.HighWater));
        Assert.That((await history.GetReplayAsync(null, 100, 100, ct)).HighWater, Is.EqualTo(next.Id));
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task PagesAreTheNewestBeforeAnIdOldestFirst(CancellationToken ct)
    {
        var history = await CreateAsync();
        var all = new List<ChatMessage>();
        for (var i = 0; i < 10; i++)
        {
            all.Add(await history.AppendAsync(i % 2 == 0 ? "even" : "odd", $"m{i}", "u", ct));
        }

        var page = await history.GetPageAsync("even", all[8].Id, 2, ct);
        Assert.That(page.Select(m => m.Message), Is.EqualTo(new[] { "m4", "m6" }));

        var across = await history.GetPageAsync(null, all[5].Id, 3, ct);
        Assert.That(across.Select(m => m.Message), Is.EqualTo(new[] { "m2", "m3", "m4" }));

        var newest = await history.GetPageAsync(null, null, 2, ct);
        Assert.That(newest.Select(m => m.Message), Is.EqualTo(new[] { "m8", "m9" }));

        Assert.That(await history.GetPageAsync("none", null, 5, ct), Is.Empty);
        await DisposeHistoryAsync(history);
    }

    [Test]
    public async Task ConcurrentAppendsLoseNothingAndGetDistinctIds(CancellationToken ct)
    {
        var history = await CreateAsync(h => h.MaxPerThread = 100_000);
        var sends = Enumerable.Range(0, 20).Select(sender => Task.Run(async () =>
        {
            var mine = new List<ChatMessage>();
            for (var i = 0; i < 100; i++)
            {
                mine.Add(await history.AppendAsync("busy", $"{sender}:{i}", $"u{sender}", ct));
            }

            return mine;
        }, ct));
        var stored = (await Task.WhenAll(sends)).SelectMany(m => m).ToList();

        Assert.That(stored.Select(m => m.Id).Distinct().Count(), Is.EqualTo(2000));
        var page = new List<ChatMessage>();
        long? before = null;
        while (true)
        {
            var older = await history.GetPageAsync("busy", before, 500, ct);
            if (older.Count == 0)
            {
                break;
            }

            page.InsertRange(0, older);
            before = older[0].Id;
        }

        Assert.That(page.Select(m => m.Message).Order(), Is.EqualTo(stored.Select(m => m.Message).Order()));
        await DisposeHistoryAsync(history);
    }
}

public sealed class InMemoryChatHistoryTests : ChatHistoryFullContract
{
    protected override Task<IChatHistory> CreateHistoryAsync(HistoryOptions options)
        => Task.FromResult<IChatHistory>(new InMemoryChatHistory(Options.Create(options), TimeProvider.System));

    [Test]
    public async Task OldestMessagesOfAThreadAreDroppedPastMaxPerThread(CancellationToken ct)
    {
        var options = new HistoryOptions();
        options.MaxPerThread = 3;
        var history = await CreateHistoryAsync(options);
        for (var i = 0; i < 5; i++)
        {
            await history.AppendAsync("t", $"m{i}", "u", ct);
        }

        var kept = await history.GetPageAsync("t", null, 10, ct);
        Assert.That(kept.Select(m => m.Message), Is.EqualTo(new[] { "m2", "m3", "m4" }));
    }
}

public sealed class SqliteChatHistoryTests : ChatHistoryFullContract
{
    private readonly List<string> directories = [];

    protected override async Task<IChatHistory> CreateHistoryAsync(HistoryOptions options)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        directories.Add(directory);
        options.Path = Path.Combine(directory, "chatter.db");
        var history = new SqliteChatHistory(Options.Create(options), TimeProvider.System, NullLogger<SqliteChatHistory>.Instance);
        await history.StartAsync(CancellationToken.None);
        return history;
    }

    protected override Task ApplyRetentionAsync(IChatHistory history) => ((SqliteChatHistory)history).PruneAsync(CancellationToken.None);

    protected override async Task<IChatHistory?> ReopenAsync(IChatHistory history)
    {
        var path = ((SqliteChatHistory)history).FilePath;
        await DisposeHistoryAsync(history);
        var reopened = new SqliteChatHistory(Options.Create(new HistoryOptions { Path = path }), TimeProvider.System, NullLogger<SqliteChatHistory>.Instance);
        await reopened.StartAsync(CancellationToken.None);
        return reopened;
    }

    protected override async Task DisposeHistoryAsync(IChatHistory history)
    {
        var sqlite = (SqliteChatHistory)history;
        await sqlite.StopAsync(CancellationToken.None);
        sqlite.Dispose();
    }

    [TearDown]
    public void RemoveFiles()
    {
        foreach (var directory in directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }
}
