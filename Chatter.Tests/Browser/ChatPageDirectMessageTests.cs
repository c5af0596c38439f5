using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// Direct messages: "Message…" with a user name opens the thread "@bob"; direct threads are listed under "Direct
/// messages" by the other's name (bob's page shows alice's as "@alice"); nobody else sees them; an unknown user's
/// refusal is shown.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageDirectMessageTests : BrowserTestBase
{
    [Test]
    public async Task AliceStartsADirectMessageBobSeesItAsAliceAndCarolNever(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var alice = await OpenLoggedInPageAsync(server, "alice");
        var bob = await OpenLoggedInPageAsync(server, "bob");
        var carol = await OpenLoggedInPageAsync(server, "carol");

        await alice.OpenDirectAsync("bob");
        await alice.SendAsync("just between us");
        await Expect(alice.Messages("@bob").Last).ToHaveAttributeAsync("data-state", "sent");
        await Expect(alice.DirectButton("bob").Locator(".thread-name")).ToHaveTextAsync("bob");
        var sent = alice.SentFrames.Select(f => JsonDocument.Parse(f).RootElement)
            .Single(f => f.TryGetProperty("message", out var m) && m.GetString() == "just between us");
        Assert.That(sent.GetProperty("thread").GetString(), Is.EqualTo("@bob"));

        // bob's page lists it apart, by alice's name, and counts it unread until he opens it.
        await Expect(bob.DirectButton("alice").Locator(".thread-name")).ToHaveTextAsync("alice");
        await Expect(bob.DirectButton("alice").Locator(".unread")).ToHaveTextAsync("1 unread");
        await Expect(bob.ThreadButton("@alice")).ToHaveCountAsync(0);
        await bob.DirectButton("alice").ClickAsync();
        await Expect(bob.Page.Locator("#thread-title")).ToHaveTextAsync("@alice");
        await Expect(bob.Texts("@alice")).ToHaveTextAsync(["just between us"]);
        await bob.SendAsync("sure");
        await Expect(alice.Texts("@bob")).ToHaveTextAsync(["just between us", "sure"]);

        // carol is online all along and then logs in again (a replay): neither shows her anything of it.
        await carol.SendAsync("anyone around?");
        await Expect(alice.Texts("general")).ToHaveTextAsync(["anyone around?"]);
        await Expect(carol.DirectEntries).ToHaveCountAsync(0);
        await carol.Page.ReloadAsync();
        await carol.LoginAsync("carol", ChatterServer.DefaultUsers["carol"]);
        await Expect(carol.Texts("general")).ToHaveTextAsync(["anyone around?"]);
        await Expect(carol.DirectEntries).ToHaveCountAsync(0);
        await Expect(carol.Page.Locator("ol.messages li.message")).ToHaveCountAsync(1);
        Assert.That(carol.ReceivedFrames.Any(f => f.Contains("just between us", StringComparison.Ordinal) || f.Contains("\"sure\"", StringComparison.Ordinal)),
            Is.False, "no frame to carol carried the direct messages");
    }

    [Test]
    public async Task ADirectMessageToAnUnknownUserShowsTheRefusal(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var alice = await OpenLoggedInPageAsync(server, "alice");

        await alice.OpenDirectAsync("nobody");
        await alice.SendAsync("hello?");

        await Expect(alice.Messages("@nobody").Last).ToHaveAttributeAsync("data-state", "failed");
        await Expect(alice.Messages("@nobody").Last.Locator(".state")).ToHaveTextAsync("not sent: unknown user");
        await Expect(alice.Notice).ToHaveTextAsync("Not sent: unknown user");
    }
}
