using System.Globalization;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// A replay the server had to cut (<c>Chatter:History:ReplayLimit</c>): after a reconnect the page says so and shows the
/// new replay; "Load earlier messages" pages back through the selected thread's history, oldest first, once each.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageEarlierTests : BrowserTestBase
{
    private static readonly Dictionary<string, string?> ReplayLimitFive = new(ChatterServer.NoRateLimit)
    {
        ["Chatter:History:ReplayLimit"] = "5",
    };

    [Test]
    public async Task AReconnectAfterTheReplayLimitWasExceededShowsTheNoticeAndLoadEarlierBringsBackTheRest(CancellationToken ct)
    {
        var server = await StartServerAsync(ReplayLimitFive);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        var before = await SendAsync(carol, "general", "before", 2, ct);
        var (page, relay) = await OpenRelayedPageAsync(server, "alice");
        await Expect(page.Texts("general")).ToHaveTextAsync(before);
        // The first replay held everything: nothing earlier to load, nothing to say.
        await Expect(page.LoadEarlier).ToBeHiddenAsync();
        await Expect(page.GapNotice).ToBeHiddenAsync();

        // The page is kept away while carol sends more than the replay limit.
        relay.Refuse = true;
        await relay.DropAsync();
        var away = await SendAsync(carol, "general", "away", 12, ct);
        relay.Refuse = false;

        await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
        await Expect(page.GapNotice).ToHaveTextAsync("Some earlier messages are not shown.");
        await Expect(page.Texts("general")).ToHaveTextAsync(away[^5..]);
        await Expect(page.LoadEarlier).ToBeVisibleAsync();

        await page.LoadEarlier.ClickAsync();
        await Expect(page.Texts("general")).ToHaveTextAsync([.. before, .. away]);
        await Expect(page.LoadEarlier).ToBeHiddenAsync();
        await Expect(page.GapNotice).ToBeHiddenAsync();
        await AssertIdsAscendAsync(page, "general");
    }

    [Test]
    public async Task LoadEarlierPagesBackTheSelectedThreadUntilAPageComesBackShortOrEmpty(CancellationToken ct)
    {
        var server = await StartServerAsync(ReplayLimitFive);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        var general = await SendAsync(carol, "general", "g", 55, ct);
        var ops = await SendAsync(carol, "ops", "o", 7, ct);

        // A first login whose replay was cut: no notice (the page had nothing before), but earlier messages to load.
        var page = await OpenLoggedInPageAsync(server, "alice");
        await Expect(page.Texts("general")).ToHaveTextAsync(general[^5..]);
        await Expect(page.GapNotice).ToBeHiddenAsync();

        // A full page of 50 above the 5 shown (more may follow), then an empty one: the end.
        await page.LoadEarlier.ClickAsync();
        await Expect(page.Texts("general")).ToHaveTextAsync(general);
        await Expect(page.LoadEarlier).ToBeEnabledAsync();
        await page.LoadEarlier.ClickAsync();
        await Expect(page.LoadEarlier).ToBeHiddenAsync();
        await Expect(page.Texts("general")).ToHaveTextAsync(general);

        // Each thread pages on its own: ops still offers its earlier messages, and a short page is its last.
        await page.SelectThreadAsync("ops");
        await Expect(page.Texts("ops")).ToHaveTextAsync(ops[^5..]);
        await page.LoadEarlier.ClickAsync();
        await Expect(page.Texts("ops")).ToHaveTextAsync(ops);
        await Expect(page.LoadEarlier).ToBeHiddenAsync();

        await AssertIdsAscendAsync(page, "general");
        await AssertIdsAscendAsync(page, "ops");
        await page.SelectThreadAsync("general");
        await Expect(page.LoadEarlier).ToBeHiddenAsync();
    }

    /// <summary>Sends <paramref name="count"/> messages "prefix i" to <paramref name="thread"/>; answers their texts.</summary>
    private static async Task<string[]> SendAsync(RawChatClient client, string thread, string prefix, int count, CancellationToken ct)
    {
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            texts[i] = $"{prefix} {i}";
            await client.SendAndAckAsync(thread, texts[i], $"{thread}-{prefix}-{i}", ct);
        }

        return texts;
    }

    private static async Task AssertIdsAscendAsync(ChatPage page, string thread)
    {
        var ids = (await page.Messages(thread).EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)"))
            .Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToList();
        Assert.That(ids, Is.Ordered.Ascending.And.Unique, "each stored message once, in id order");
    }
}
