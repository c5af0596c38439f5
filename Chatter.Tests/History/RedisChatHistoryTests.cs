using Chatter.Protocol;
using Chatter.Server.Backplane;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chatter.Tests.History;

/// <summary>The history contract on a private redis-server, and what the Redis store adds: ids shared by nodes, retention.</summary>
[NonParallelizable]
public sealed class RedisChatHistoryTests : ChatHistoryFullContract
{
    private readonly List<RedisConnection> connections = [];
    private readonly Dictionary<RedisChatHistory, string> prefixes = [];
    private RedisServer redis = null!;

    [OneTimeSetUp]
    public async Task StartRedis() => redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }
    }

    [TearDown]
    public async Task CloseConnections()
    {
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        connections.Clear();
    }

    protected override Task<IChatHistory> CreateHistoryAsync(HistoryOptions options)
        => Task.FromResult<IChatHistory>(Create(options, $"t{Guid.NewGuid():N}"));

    /// <summary>A node started again on the same Redis and prefix.</summary>
    protected override Task<IChatHistory?> ReopenAsync(IChatHistory history)
        => Task.FromResult<IChatHistory?>(Create(new HistoryOptions(), prefixes[(RedisChatHistory)history]));

    [Test]
    public async Task TwoNodesOnOneRedisShareOneIncreasingIdSequence(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var a = Create(new HistoryOptions(), prefix);
        var b = Create(new HistoryOptions(), prefix);

        var ids = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await (i % 2 == 0 ? a : b).AppendAsync("shared", $"m{i}", "u", ct)).Id);
        }

        Assert.That(ids, Is.Ordered.Ascending.And.Unique);
        Assert.That((await b.GetPageAsync("shared", null, 20, ct)).Select(m => m.Id), Is.EqualTo(ids), "each node reads what the other stored");
    }

    [Test]
    public async Task DeploymentsWithDifferentPrefixesDoNotSeeEachOther(CancellationToken ct)
    {
        var mine = Create(new HistoryOptions(), $"t{Guid.NewGuid():N}");
        var theirs = Create(new HistoryOptions(), $"t{Guid.NewGuid():N}");

        await theirs.AppendAsync("t", "theirs", "u", ct);

        Assert.That((await mine.GetReplayAsync(null, 100, 100, ct)).Messages, Is.Empty);
        Assert.That((await mine.AppendAsync("t", "mine", "u", ct)).Id, Is.EqualTo(1));
    }

    [Test]
    public async Task AFlushedRedisIsANewEpochAndItsEmptyReplayAlreadyNamesIt(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var history = Create(new HistoryOptions(), prefix);
        await history.AppendAsync("t", "m", "u", ct);
        var before = (await history.GetReplayAsync(null, 10, 10, ct)).Epoch;

        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var keys = new[] { "id", "threads", "thread:t", "ids", "epoch" }.Select(k => (RedisKey)$"{{{prefix}}}:history:{k}").ToArray();
        await raw.GetDatabase().KeyDeleteAsync(keys);

        var empty = await history.GetReplayAsync(null, 10, 10, ct);
        await history.AppendAsync("t", "after the flush", "u", ct);
        var after = await history.GetReplayAsync(null, 10, 10, ct);
        Assert.That(empty.Epoch, Is.Not.EqualTo(before), "a new epoch");
        Assert.That(after.Epoch, Is.EqualTo(empty.Epoch), "the empty replay named the epoch its first message belongs to");
    }

    [Test]
    public async Task OldestMessagesOfAThreadAreDroppedPastMaxPerThread(CancellationToken ct)
    {
        var options = new HistoryOptions();
        options.MaxPerThread = 3;
        var history = Create(options, $"t{Guid.NewGuid():N}");
        for (var i = 0; i < 5; i++)
        {
            await history.AppendAsync("t", $"m{i}", "u", ct);
        }

        var kept = await history.GetPageAsync("t", null, 10, ct);
        Assert.That(kept.Select(m => m.Message), Is.EqualTo(new[] { "m2", "m3", "m4" }));
    }

    [Test]
    public async Task MessagesOlderThanMaxAgeDaysAreRemovedAndEmptyThreadsForgotten(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var options = new HistoryOptions();
        options.MaxAgeDays = 7;
        var clock = new SettableTimeProvider(DateTimeOffset.UtcNow.AddDays(-8));
        var history = Create(options, prefix, clock);
        await history.AppendAsync("old", "gone", "u", ct);
        await history.AppendAsync("mixed", "gone too", "u", ct);
        clock.Now = DateTimeOffset.UtcNow;
        var kept = await history.AppendAsync("mixed", "kept", "u", ct);

        var removed = await history.PruneAsync(ct);

        Assert.That(removed, Is.EqualTo(2));
        Assert.That((await history.GetReplayAsync(null, 100, 100, ct)).Messages, Is.EqualTo(new[] { kept }));
        Assert.That(await history.GetPageAsync("old", null, 10, ct), Is.Empty);
    }

    [Test]
    public async Task MessageTextIsStoredExactlyAsSent(CancellationToken ct)
    {
        var history = Create(new HistoryOptions(), $"t{Guid.NewGuid():N}");
        const string text = "quotes \" backslash \\ newline \n tab \t é 中文 🎉 </script> \"ts\":\"0\"";

        var stored = await history.AppendAsync("thread \"x\"", text, "u", ct);

        var read = (await history.GetPageAsync("thread \"x\"", null, 1, ct)).Single();
        Assert.That(read, Is.EqualTo(stored));
        Assert.That(read.Message, Is.EqualTo(text));
    }

    [Test]
    public async Task APageAcrossThreadsDoesBoundedWorkWhateverTheNumberOfThreads(CancellationToken ct)
    {
        const int Threads = 20_000;
        var history = Create(new HistoryOptions(), $"t{Guid.NewGuid():N}");
        for (var first = 0; first < Threads; first += 1_000)
        {
            await Task.WhenAll(Enumerable.Range(first, 1_000).Select(i => history.AppendAsync($"t{i}", "m", "u", ct).AsTask()));
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);

        // Before the oldest id nothing can match, and a walk of every thread would find that out thread by thread.
        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        Assert.That(await history.GetPageAsync(null, 1, 500, ct), Is.Empty);
        Assert.That(await CommandsRunAsync(server), Is.LessThanOrEqualTo(2), "commands for an empty page");

        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        var page = await history.GetPageAsync(null, (Threads / 2) + 1, 500, ct);
        Assert.That(page.Select(m => m.Id), Is.EqualTo(Enumerable.Range((Threads / 2) - 499, 500).Select(i => (long)i)));
        Assert.That(await CommandsRunAsync(server), Is.LessThanOrEqualTo(501), "commands for a page of 500: the index, then one read per message");
    }

    [Test]
    public async Task MessagesStoredBeforeTheIdIndexExistedArePagedAcrossThreadsOnceItIsBuilt(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var history = Create(new HistoryOptions(), prefix);
        var stored = new List<ChatMessage>();
        for (var i = 0; i < 50; i++)
        {
            stored.Add(await history.AppendAsync($"t{i % 40}", $"m{i}", "u", ct));
        }

        // The layout an earlier Chatter wrote: no id index.
        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await raw.GetDatabase().KeyDeleteAsync([$"{{{prefix}}}:history:ids", $"{{{prefix}}}:history:ids:built"]);
        Assert.That(await history.GetPageAsync(null, null, 100, ct), Is.Empty);

        await history.BuildIndexAsync(ct);
        Assert.That(await history.GetPageAsync(null, null, 100, ct), Is.EqualTo(stored));

        // Built once: a second run (another node's start) changes nothing, and new messages are indexed as they come.
        await history.BuildIndexAsync(ct);
        var next = await history.AppendAsync("t0", "after", "u", ct);
        Assert.That(await history.GetPageAsync(null, null, 100, ct), Is.EqualTo(stored.Append(next)));
    }

    [Test]
    public async Task TrimmedAndPrunedMessagesLeaveThePageAcrossThreads(CancellationToken ct)
    {
        var options = new HistoryOptions();
        options.MaxPerThread = 2;
        options.MaxAgeDays = 7;
        var clock = new SettableTimeProvider(DateTimeOffset.UtcNow.AddDays(-8));
        var prefix = $"t{Guid.NewGuid():N}";
        var history = Create(options, prefix, clock);
        await history.AppendAsync("old", "pruned", "u", ct);
        clock.Now = DateTimeOffset.UtcNow;
        await history.AppendAsync("t", "trimmed", "u", ct);
        var kept = new[] { await history.AppendAsync("t", "kept 1", "u", ct), await history.AppendAsync("t", "kept 2", "u", ct) };
        await history.PruneAsync(ct);

        await using var raw = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var indexed = await raw.GetDatabase().SortedSetLengthAsync($"{{{prefix}}}:history:ids");
        Assert.That((await history.GetPageAsync(null, null, 10, ct), indexed), Is.EqualTo((kept, 2L)));
    }

    /// <summary>Calls of data commands (those a script runs, not the script call or these statistics) since the last reset.</summary>
    private static async Task<long> CommandsRunAsync(IServer server)
    {
        var stats = (await server.InfoAsync("commandstats")).SelectMany(group => group);
        long calls = 0;
        foreach (var (name, value) in stats.Select(pair => (pair.Key, pair.Value)))
        {
            var command = name["cmdstat_".Length..];
            if (command is "eval" or "evalsha" or "info" or "script|load" or "ping" || command.StartsWith("config", StringComparison.Ordinal) || command.StartsWith("client", StringComparison.Ordinal))
            {
                continue;
            }

            calls += long.Parse(value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return calls;
    }

    private RedisChatHistory Create(HistoryOptions options, string prefix, TimeProvider? time = null)
    {
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = redis.Configuration, ChannelPrefix = prefix }), NullLogger<RedisConnection>.Instance);
        connections.Add(connection);
        var history = new RedisChatHistory(connection, Options.Create(options), time ?? TimeProvider.System, NullLogger<RedisChatHistory>.Instance);
        prefixes[history] = prefix;
        return history;
    }

    private sealed class SettableTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
