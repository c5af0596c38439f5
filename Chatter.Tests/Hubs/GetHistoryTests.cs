using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Tests.Hubs;

/// <summary><c>GetHistory(thread | null, beforeId | null, limit)</c>: the newest <c>limit</c> (1–500) before <c>beforeId</c>, oldest first.</summary>
[CancelAfter(60_000)]
public class GetHistoryTests
{
    [Test]
    public async Task GetHistoryOfAThreadReturnsItsNewestMessagesBeforeTheGivenIdOldestFirst(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var m = await SeedAsync(client, ct);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await client.GetHistoryAsync("a", null, 3, ct), Is.EqualTo(new[] { m["a3"], m["a4"], m["a5"] }));
            Assert.That(await client.GetHistoryAsync("a", m["a4"].Id, 2, ct), Is.EqualTo(new[] { m["a2"], m["a3"] }));
            Assert.That(await client.GetHistoryAsync("a", m["b3"].Id, 500, ct), Is.EqualTo(new[] { m["a1"], m["a2"], m["a3"], m["a4"] }));
            Assert.That(await client.GetHistoryAsync("b", null, 500, ct), Is.EqualTo(new[] { m["b1"], m["b2"], m["b3"] }));
            Assert.That(await client.GetHistoryAsync("a", m["a1"].Id, 10, ct), Is.Empty);
            Assert.That(await client.GetHistoryAsync("no-such-thread", null, 10, ct), Is.Empty);
        });
    }

    [Test]
    public async Task GetHistoryWithoutAThreadReturnsTheNewestAcrossThreadsOldestFirst(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var m = await SeedAsync(client, ct);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await client.GetHistoryAsync(null, null, 3, ct), Is.EqualTo(new[] { m["a4"], m["b3"], m["a5"] }));
            Assert.That(await client.GetHistoryAsync(null, m["b2"].Id, 2, ct), Is.EqualTo(new[] { m["b1"], m["a2"] }));
            Assert.That(await client.GetHistoryAsync(null, null, 500, ct), Is.EqualTo(m.Values.OrderBy(x => x.Id).ToArray()));
        });
    }

    [Test]
    public async Task PagingBackwardsVisitsEveryMessageOnce(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var all = (await SeedAsync(client, ct)).Values.OrderBy(x => x.Id).ToList();

        var visited = new List<ChatMessage>();
        long? before = null;
        for (var pages = 0; pages <= all.Count; pages++)
        {
            var page = await client.GetHistoryAsync(null, before, 3, ct);
            if (page.Length == 0)
            {
                break;
            }

            Assert.That(page.Select(x => x.Id), Is.Ordered.Ascending);
            visited.InsertRange(0, page);
            before = page[0].Id;
        }

        Assert.That(visited, Is.EqualTo(all));
    }

    [Test]
    public async Task GetHistoryIncludesMessagesOfRawClients(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test2", cancellationToken: ct);
        await raw.SendChatAsync("a", "from raw", "r1", ct);
        var ack = await raw.ReceiveJsonAsync(ct);
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);

        var history = await client.GetHistoryAsync("a", null, 10, ct);

        Assert.That(history, Has.Length.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(history[0].Id, Is.EqualTo(ack.GetProperty("id").GetInt64()));
            Assert.That(history[0].From, Is.EqualTo("test2"));
            Assert.That(history[0].Message, Is.EqualTo("from raw"));
        });
    }

    [TestCase(1)]
    [TestCase(500)]
    public async Task LimitFromOneTo500IsAccepted(int limit, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var m = await SeedAsync(client, ct);

        var page = await client.GetHistoryAsync(null, null, limit, ct);

        Assert.That(page, Has.Length.EqualTo(Math.Min(limit, m.Count)));
    }

    [TestCase(0)]
    [TestCase(501)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public async Task LimitOutsideOneTo500IsRefusedWithAHubException(int limit, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await client.SendAsync("a", "one", ct);

        await Assert.ThatAsync(
            async () => { await client.GetHistoryAsync("a", null, limit, ct); },
            Throws.InstanceOf<HubException>().With.Message.Contain("limit must be between 1 and 500"));
        Assert.That(await client.GetHistoryAsync("a", null, 1, ct), Has.Length.EqualTo(1), "the connection stays usable");
    }

    /// <summary>a1 b1 a2 b2 a3 a4 b3 a5, in that (id) order.</summary>
    private static async Task<Dictionary<string, ChatMessage>> SeedAsync(HubChatClient client, CancellationToken ct)
    {
        var messages = new Dictionary<string, ChatMessage>();
        foreach (var name in new[] { "a1", "b1", "a2", "b2", "a3", "a4", "b3", "a5" })
        {
            messages[name] = await client.SendAsync(name[..1], name, ct);
        }

        return messages;
    }
}
