using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>Logging in on the page: refusals are shown as the server words them, and the password is kept nowhere.</summary>
[CancelAfter(180_000)]
public class ChatPageLoginTests : BrowserTestBase
{
    [Test]
    public async Task WrongPasswordShowsTheServersErrorAndKeepsTheLoginForm(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);

        await page.SubmitLoginAsync("alice", "not-her-password");

        await Expect(page.LoginError).ToHaveTextAsync("invalid credentials");
        await Expect(page.Page.GetByLabel("Password")).ToBeFocusedAsync();
        await Expect(page.Page.GetByLabel("Password")).ToHaveValueAsync("");
        await Expect(page.ChatView).ToBeHiddenAsync();
        await Expect(page.Status).ToHaveTextAsync("Offline");

        // The form works again at once.
        await page.LoginAsync("alice", ChatterServer.DefaultUsers["alice"]);
        await Expect(page.LoginError).ToBeHiddenAsync();
    }

    [TestCase("too many attempts")]
    [TestCase("too many connections")]
    public async Task AnyErrorTheServerAnswersALoginWithIsShown(string reason, CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        // A stand-in for the server's login limits: answer the login frame with the error, then close.
        await page.Page.RouteWebSocketAsync("**/ws/chat", route => route.OnMessage(login =>
        {
            route.Send($"{{\"error\":\"{reason}\"}}");
            _ = route.CloseAsync(new() { Code = 1008, Reason = reason });
        }));

        await page.SubmitLoginAsync("alice", ChatterServer.DefaultUsers["alice"]);

        await Expect(page.LoginError).ToHaveTextAsync(reason);
        await Expect(page.ChatView).ToBeHiddenAsync();
    }

    [Test]
    public async Task ThePasswordIsSentOnlyInTheLoginFrameAndKeptNowhereInThePage(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        var password = ChatterServer.DefaultUsers["alice"];

        await page.LoginAsync("alice", password);
        await page.SendAsync("hello");
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");

        await Expect(page.Page.GetByLabel("Password")).ToHaveValueAsync("");
        var kept = await page.Page.EvaluateAsync<string>(
            "() => [localStorage.length, sessionStorage.length, document.cookie, location.href, document.documentElement.outerHTML].join('\\n')");
        Assert.That(kept, Does.Not.Contain(password), "storage, cookies, URL or DOM");
        Assert.That(await page.Page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"), Is.Zero);
        Assert.That(await page.Context.CookiesAsync(), Is.Empty);
        Assert.That(page.SentFrames.Where(f => f.Contains(password, StringComparison.Ordinal)), Has.Exactly(1).Contains("\"username\":\"alice\""),
            "the password left the page once, in the login frame");
    }

    [Test]
    public async Task LogOutClosesTheSessionAndShowsAnEmptyLoginForm(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenLoggedInPageAsync(server, "alice");
        await page.SendAsync("bye for now");
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");
        Assert.That(page.SocketsClosed, Has.Count.EqualTo(1));

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        await page.SocketsClosed[0].WaitAsync(TimeSpan.FromMilliseconds(TimeoutMs), ct);

        await Expect(page.Page.Locator("#login-form")).ToBeVisibleAsync();
        await Expect(page.ChatView).ToBeHiddenAsync();
        await Expect(page.Status).ToHaveTextAsync("Offline");
        await Expect(page.Page.GetByLabel("Password")).ToHaveValueAsync("");
        Assert.That(await page.Page.Locator("li.message").CountAsync(), Is.Zero, "the conversation left the page");
    }
}
