using Chatter.Server.Backplane;
using Chatter.Server.History;
using Chatter.Server.Hosting;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.History;

/// <summary>The history contract on a private redis-server, and what the Redis store adds: ids shared by nodes, retention.</summary>
[NonParallelizable]
public sealed class RedisChatHistoryTests : ChatHistoryContract
{
    private readonly List<RedisConnection> connections = [];
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

    protected override Task<IChatHistory> CreateHistoryAsync(ChatterOptions options)
        => Task.FromResult<IChatHistory>(Create(options, $"t{Guid.NewGuid():N}"));

    [Test]
    public async Task TwoNodesOnOneRedisShareOneIncreasingIdSequence(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var a = Create(new ChatterOptions(), prefix);
        var b = Create(new ChatterOptions(), prefix);

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
        var mine = Create(new ChatterOptions(), $"t{Guid.NewGuid():N}");
        var theirs = Create(new ChatterOptions(), $"t{Guid.NewGuid():N}");

        await theirs.AppendAsync("t", "theirs", "u", ct);

        Assert.That((await mine.GetReplayAsync(null, 100, 100, ct)).Messages, Is.Empty);
        Assert.That((await mine.AppendAsync("t", "mine", "u", ct)).Id, Is.EqualTo(1));
    }

    [Test]
    public async Task OldestMessagesOfAThreadAreDroppedPastMaxPerThread(CancellationToken ct)
    {
        var options = new ChatterOptions();
        options.History.MaxPerThread = 3;
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
        var options = new ChatterOptions();
        options.History.MaxAgeDays = 7;
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
        var history = Create(new ChatterOptions(), $"t{Guid.NewGuid():N}");
        const string text = "quotes \" backslash \\ newline \n tab \t é 中文 🎉 </script> \"ts\":\"0\"";

        var stored = await history.AppendAsync("thread \"x\"", text, "u", ct);

        var read = (await history.GetPageAsync("thread \"x\"", null, 1, ct)).Single();
        Assert.That(read, Is.EqualTo(stored));
        Assert.That(read.Message, Is.EqualTo(text));
    }

    private RedisChatHistory Create(ChatterOptions options, string prefix, TimeProvider? time = null)
    {
        options.Redis.Configuration = redis.Configuration;
        options.Redis.ChannelPrefix = prefix;
        var connection = new RedisConnection(Options.Create(options), NullLogger<RedisConnection>.Instance);
        connections.Add(connection);
        return new RedisChatHistory(connection, Options.Create(options), time ?? TimeProvider.System, NullLogger<RedisChatHistory>.Instance);
    }

    private sealed class SettableTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
