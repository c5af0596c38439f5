using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Chatter.Tests.History;

/// <summary>A row in Redis that is not a message (REVIEW L1) is skipped and logged; it does not fail every login.</summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class RedisCorruptRowTests : RedisTestBase
{
    [Test]
    public async Task ACorruptRowIsSkippedAndEveryLoginStillGetsTheRestOfTheHistory(CancellationToken ct)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        await using var server = await ChatterServer.StartAsync(ChatterCluster.Settings(Redis, prefix));
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await sender.SendChatAsync("t", "first", "1", ct);
        var first = (await sender.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64();
        await sender.SendChatAsync("t", "second", "2", ct);
        var second = (await sender.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64();

        // Garbage in the thread's sorted set: not JSON, JSON of the wrong shape, between and after the real rows.
        await using (var raw = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration))
        {
            var key = $"{{{prefix}}}:history:thread:t";
            var database = raw.GetDatabase();
            await database.SortedSetAddAsync(key, "not json", first + 0.5);
            await database.SortedSetAddAsync(key, """{"id":"x","thread":7}""", second + 100);
        }

        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        var replayed = new[] { RawChatMessage.Parse(await receiver.ReceiveTextAsync(ct)), RawChatMessage.Parse(await receiver.ReceiveTextAsync(ct)) };
        Assert.That(replayed.Select(m => (m.Id, m.Message)), Is.EqualTo(new[] { (first, "first"), (second, "second") }));

        // Live delivery works, and nothing came between the good replay and it.
        await sender.SendChatAsync("t", "live", "3", ct);
        Assert.That(RawChatMessage.Parse(await receiver.ReceiveTextAsync(ct)).Message, Is.EqualTo("live"));

        var history = server.App.Services.GetRequiredService<IChatHistory>();
        Assert.That((await history.GetPageAsync("t", null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "first", "second", "live" }));
        Assert.That((await history.GetPageAsync(null, null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "first", "second", "live" }));
        Assert.That(server.Logs.WithEventId(511), Is.Not.Empty, "the skipped rows are logged");
    }
}
