using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>The page as a chat client: pages and raw clients talk to each other, and message text stays text.</summary>
[CancelAfter(180_000)]
public class ChatPageConversationTests : BrowserTestBase
{
    [Test]
    public async Task TwoPagesExchangeMessagesBothWays(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var alice = await OpenLoggedInPageAsync(server, "alice");
        var bob = await OpenLoggedInPageAsync(server, "bob");

        await alice.SendAsync("Hi Bob, lunch at noon?");
        await Expect(bob.Texts("general")).ToHaveTextAsync(["Hi Bob, lunch at noon?"]);
        await Expect(bob.Messages("general").Locator(".from")).ToHaveTextAsync(["alice"]);

        await bob.SendAsync("Sure, see you there.");
        await Expect(alice.Texts("general")).ToHaveTextAsync(["Hi Bob, lunch at noon?", "Sure, see you there."]);
        await Expect(alice.Messages("general").Locator(".from")).ToHaveTextAsync(["alice", "bob"]);

        // Each side shows its own message once, confirmed by the ack, with the server's id and a local time.
        await Expect(bob.Texts("general")).ToHaveTextAsync(["Hi Bob, lunch at noon?", "Sure, see you there."]);
        foreach (var page in new[] { alice, bob })
        {
            await Expect(page.Messages("general").Nth(0)).ToHaveAttributeAsync("data-state", "sent");
            await Expect(page.Messages("general").Nth(1)).ToHaveAttributeAsync("data-state", "sent");
            await Expect(page.Messages("general").Locator("time").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d"));
        }

        Assert.That(
            await alice.Messages("general").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)"),
            Is.EqualTo(await bob.Messages("general").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)")),
            "both pages show the same stored messages (same ids)");
    }

    [Test]
    public async Task RawClientsAndThePageSeeEachOthersMessages(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("carol", cancellationToken: ct);
        var before = await raw.SendAndAckAsync("ops", "deploy at five", "r1", ct);

        var page = await OpenLoggedInPageAsync(server, "alice");

        // The history: the thread appears in the list with its unread message.
        await Expect(page.ThreadButton("ops")).ToContainTextAsync("1 unread");
        await page.SelectThreadAsync("ops");
        await Expect(page.Texts("ops")).ToHaveTextAsync(["deploy at five"]);
        await Expect(page.Messages("ops").Nth(0)).ToHaveAttributeAsync("data-id", before.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Live, raw → page.
        await raw.SendAndAckAsync("ops", "done, all green", "r2", ct);
        await Expect(page.Texts("ops")).ToHaveTextAsync(["deploy at five", "done, all green"]);
        await Expect(page.Messages("ops").Locator(".from")).ToHaveTextAsync(["carol", "carol"]);

        // Page → raw, in the documented frame shape.
        await page.SendAsync("thanks carol");
        var received = await raw.ReceiveMessageAsync(ct);
        Assert.That((received.Thread, received.Message, received.From), Is.EqualTo(("ops", "thanks carol", "alice")));
        await Expect(page.Messages("ops").Nth(2)).ToHaveAttributeAsync("data-id", received.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task HtmlInAMessageIsShownAsTextAndNeverRuns(CancellationToken ct)
    {
        const string injection = "<img src=x onerror=alert(1)>";
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("carol", cancellationToken: ct);
        await raw.SendAndAckAsync("general", injection, "r1", ct);   // through the history
        var page = await OpenLoggedInPageAsync(server, "alice");

        await raw.SendAndAckAsync("<b>thread</b>", injection, "r2", ct);   // live, in a thread named with markup

        await Expect(page.Texts("general")).ToHaveTextAsync([injection]);
        await Expect(page.ThreadButton("<b>thread</b>").Locator(".thread-name")).ToHaveTextAsync("<b>thread</b>");
        await page.SelectThreadAsync("<b>thread</b>");
        await Expect(page.Texts("<b>thread</b>")).ToHaveTextAsync([injection]);

        Assert.That(await page.Page.Locator("img").CountAsync(), Is.Zero, "no img element was created");
        Assert.That(await page.Page.Locator("b").CountAsync(), Is.Zero, "no b element was created");
        Assert.That(page.Dialogs, Is.Empty, "no alert fired");
    }
}
