using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>The page at phone and desktop widths, and by keyboard alone.</summary>
[CancelAfter(180_000)]
public class ChatPageLayoutTests : BrowserTestBase
{
    [TestCase(375, 740)]
    [TestCase(1280, 800)]
    public async Task TheChatFitsTheWidthAndLongMessagesWrap(int width, int height, CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("carol", cancellationToken: ct);
        var page = await OpenLoggedInPageAsync(server, "alice", width, height);

        var unbroken = new string('w', 600);
        var prose = string.Join(' ', Enumerable.Repeat("a long message that must wrap inside its bubble", 12));
        await raw.SendAndAckAsync("general", unbroken, "r1", ct);
        await raw.SendAndAckAsync("general", prose, "r2", ct);
        await Expect(page.Texts("general")).ToHaveTextAsync([unbroken, prose]);

        Assert.That(await page.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(width),
            "nothing scrolls sideways");
        foreach (var locator in new[] { page.Messages("general").Nth(0), page.Messages("general").Nth(1), page.MessageBox, page.Page.Locator("#send"), page.ThreadButton("general") })
        {
            var box = await locator.BoundingBoxAsync();
            Assert.That(box, Is.Not.Null);
            Assert.That(box!.X + box.Width, Is.LessThanOrEqualTo(width + 0.5), "inside the viewport's width");
        }
    }

    [Test]
    public async Task KeyboardAloneLogsInOpensAThreadAndSendsAMultiLineMessage(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("bob", cancellationToken: ct);
        var page = await OpenPageAsync(server);
        var keyboard = page.Page.Keyboard;

        // The user name field has the focus on load; Tab leads to the password; Enter submits.
        await Expect(page.Page.GetByLabel("User name")).ToBeFocusedAsync();
        await keyboard.TypeAsync("alice");
        await keyboard.PressAsync("Tab");
        await Expect(page.Page.GetByLabel("Password")).ToBeFocusedAsync();
        await keyboard.TypeAsync(ChatterServer.DefaultUsers["alice"]);
        await keyboard.PressAsync("Enter");
        await Expect(page.Status).ToHaveTextAsync("Online");

        // The message box has the focus; Shift+Tab walks back to the new-thread box.
        await Expect(page.MessageBox).ToBeFocusedAsync();
        await ShiftTabUntilFocusedAsync(page, page.Page.GetByLabel("New thread"));
        Assert.That(await page.Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"), Is.EqualTo("solid"),
            "the focused control shows its focus");
        await keyboard.TypeAsync("plans");
        await keyboard.PressAsync("Enter");
        await Expect(page.Page.Locator("#thread-title")).ToHaveTextAsync("plans");
        await Expect(page.MessageBox).ToBeFocusedAsync();

        // Shift+Enter is a new line, Enter sends.
        await keyboard.TypeAsync("line one");
        await keyboard.PressAsync("Shift+Enter");
        await keyboard.TypeAsync("line two");
        await keyboard.PressAsync("Enter");

        var received = await raw.ReceiveMessageAsync(ct);
        Assert.That((received.Thread, received.Message), Is.EqualTo(("plans", "line one\nline two")));
        await Expect(page.Messages("plans").Last).ToHaveAttributeAsync("data-state", "sent");
        Assert.That(await page.Texts("plans").Last.EvaluateAsync<string>("e => e.textContent"), Is.EqualTo("line one\nline two"));
        await Expect(page.MessageBox).ToHaveValueAsync("");
        // The thread's messages are a live region (role log): a screen reader announces new ones.
        await Expect(page.Page.GetByRole(AriaRole.Log, new() { Name = "Messages in plans" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
    }

    private static async Task ShiftTabUntilFocusedAsync(ChatPage page, ILocator target)
    {
        for (var i = 0; i < 10; i++)
        {
            await page.Page.Keyboard.PressAsync("Shift+Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail("Shift+Tab never reached the control");
    }
}
