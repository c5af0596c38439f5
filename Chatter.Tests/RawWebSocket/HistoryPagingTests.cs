using System.Text.Json;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// Raw clients page back through the history (issue 15, point 4): <c>{"history": {"thread", "before", "limit"}, "ref"}</c>
/// → <c>{"ref", "history": [...]}</c>, the newest messages before <c>before</c>, oldest first, in the usual message shape;
/// invalid values → <c>{"error", "ref"}</c>, and the connection stays.
/// </summary>
[CancelAfter(60_000)]
public class HistoryPagingTests
{
    [Test]
    public async Task APageIsTheNewestMessagesBeforeTheGivenIdOldestFirstOfOneThreadOrOfAll(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var (ids, pager) = await StoreAndConnectAsync(server, ct);
        await using var _ = pager;

        var newest = await AskAsync(pager, new { history = new { thread = "a", limit = 2 }, @ref = "h1" }, ct);
        var older = await AskAsync(pager, new { history = new { thread = "a", before = ids["a2"], limit = 50 }, @ref = "h2" }, ct);
        var all = await AskAsync(pager, new { history = new { thread = (string?)null, limit = 3 }, @ref = "h3" }, ct);

        Assert.Multiple(() =>
        {
            Assert.That(newest.GetProperty("ref").GetString(), Is.EqualTo("h1"));
            Assert.That(Messages(newest), Is.EqualTo(new[] { "a2", "a3" }), "the newest two of thread a, oldest first");
            Assert.That(Messages(older), Is.EqualTo(new[] { "a1" }), "before a2");
            Assert.That(Messages(all), Is.EqualTo(new[] { "b1", "a3", "b2" }), "the newest three of all threads");
        });
        var first = newest.GetProperty("history")[0];
        Assert.That(first.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "thread", "message", "from", "sender", "id", "ts" }), "the usual message shape");
        Assert.That(first.GetProperty("id").GetInt64(), Is.EqualTo(ids["a2"]));
    }

    [TestCase("""{"history": {"limit": 0}, "ref": "h"}""", "limit must be between 1 and 500")]
    [TestCase("""{"history": {"limit": 501}, "ref": "h"}""", "limit must be between 1 and 500")]
    [TestCase("""{"history": 5, "ref": "h"}""", "history must be an object")]
    [TestCase("""{"history": {"thread": 7}, "ref": "h"}""", "history thread must be a string or null")]
    [TestCase("""{"history": {"before": "x"}, "ref": "h"}""", "history before must be an integer or null")]
    [TestCase("""{"history": {"limit": 2.5}, "ref": "h"}""", "history limit must be an integer")]
    public async Task InvalidValuesAreAnsweredWithTheReasonAndTheRef(string frame, string reason, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var pager = await server.LoginRawAsync("test2", cancellationToken: ct);

        await pager.SendTextAsync(frame, ct);
        var error = await pager.ReceiveErrorAsync(ct);

        Assert.That((error.Reason, error.Ref), Is.EqualTo((reason, "h")));
        await pager.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task ARequestSentAmongChatFramesIsAnsweredInItsPlaceAndAChatFramesUnknownHistoryFieldIsIgnored(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);

        await client.SendJsonAsync(new { thread = "t", message = "one", @ref = "1" }, ct);
        await client.SendJsonAsync(new { history = new { thread = "t", limit = 10 }, @ref = "h" }, ct);
        await client.SendJsonAsync(new { thread = "t", message = "two", @ref = "2", history = new { limit = 1 } }, ct);

        Assert.That((await client.ReceiveAckAsync(ct)).Ref, Is.EqualTo("1"));
        var page = await client.ReceiveJsonAsync(ct);
        Assert.That((page.GetProperty("ref").GetString(), Messages(page)), Is.EqualTo(("h", new[] { "one" })), "answered after the frame before it, before the one after it");
        Assert.That((await client.ReceiveAckAsync(ct)).Ref, Is.EqualTo("2"), "a chat frame with a history field is a chat frame");
    }

    private static async Task<(Dictionary<string, long> Ids, RawChatClient Pager)> StoreAndConnectAsync(ChatterServer server, CancellationToken ct)
    {
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var ids = new Dictionary<string, long>();
        foreach (var (thread, text) in new[] { ("a", "a1"), ("a", "a2"), ("b", "b1"), ("a", "a3"), ("b", "b2") })
        {
            ids[text] = (await sender.SendAndAckAsync(thread, text, text, ct)).Id;
        }

        // Logged in with since = the last id: no replay, so the pages are the only history it gets.
        return (ids, await server.LoginRawAsync("test2", since: ids["b2"], cancellationToken: ct));
    }

    private static async Task<JsonElement> AskAsync(RawChatClient client, object request, CancellationToken ct)
    {
        await client.SendJsonAsync(request, ct);
        return await client.ReceiveJsonAsync(ct);
    }

    private static string[] Messages(JsonElement page)
        => [.. page.GetProperty("history").EnumerateArray().Select(m => m.GetProperty("message").GetString()!)];
}
