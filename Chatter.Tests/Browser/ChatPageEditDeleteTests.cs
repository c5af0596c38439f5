using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// Edit and Delete on one's own messages: <c>{"edit": id, "message", "ref"}</c> and <c>{"delete": id, "ref"}</c>; the
/// others' pages change the text in place, marked "(edited)", or lose the message; a refusal is shown as it came.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageEditDeleteTests : BrowserTestBase
{
    [Test]
    public async Task AliceEditsAndDeletesHerMessageAndBobsPageFollows(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var alice = await OpenLoggedInPageAsync(server, "alice");
        var bob = await OpenLoggedInPageAsync(server, "bob");
        await alice.SendAsync("lunch at noom");
        await Expect(bob.Texts("general")).ToHaveTextAsync(["lunch at noom"]);
        var mine = alice.Messages("general").Last;
        await Expect(mine).ToHaveAttributeAsync("data-state", "sent");
        var id = long.Parse((await mine.GetAttributeAsync("data-id"))!, CultureInfo.InvariantCulture);

        // Only one's own messages have the controls.
        await Expect(bob.Messages("general").Last.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await mine.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var box = mine.GetByLabel("New text");
        await Expect(box).ToHaveValueAsync("lunch at noom");
        await box.FillAsync("lunch at noon");
        await box.PressAsync("Enter");

        await Expect(alice.Texts("general")).ToHaveTextAsync(["lunch at noon"]);
        await Expect(mine.Locator(".edited")).ToHaveTextAsync("(edited)");
        await Expect(bob.Texts("general")).ToHaveTextAsync(["lunch at noon"]);
        await Expect(bob.Messages("general").Last.Locator(".edited")).ToHaveTextAsync("(edited)");
        var edit = Frames(alice).Single(f => f.TryGetProperty("edit", out _));
        Assert.That((edit.GetProperty("edit").GetInt64(), edit.GetProperty("message").GetString(), edit.TryGetProperty("ref", out _)),
            Is.EqualTo((id, "lunch at noon", true)));

        await mine.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(alice.Messages("general")).ToHaveCountAsync(0);
        await Expect(bob.Messages("general")).ToHaveCountAsync(0);
        var delete = Frames(alice).Single(f => f.TryGetProperty("delete", out _));
        Assert.That((delete.GetProperty("delete").GetInt64(), delete.TryGetProperty("ref", out _)), Is.EqualTo((id, true)));

        // A reload shows the history as it is now: the message is gone there too.
        await bob.Page.ReloadAsync();
        await bob.LoginAsync("bob", ChatterServer.DefaultUsers["bob"]);
        await Expect(bob.Messages("general")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task EditingAMessageDeletedMeanwhileShowsNotFound(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var (laptop, relay) = await OpenRelayedPageAsync(server, "alice");
        var phone = await OpenLoggedInPageAsync(server, "alice");
        await phone.SendAsync("soon gone");
        await Expect(laptop.Texts("general")).ToHaveTextAsync(["soon gone"]);

        // The laptop does not hear of the delete (held back), so it still offers to edit the message.
        relay.Hold = frame => frame.StartsWith("{\"deleted\"", StringComparison.Ordinal);
        await phone.Messages("general").Last.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(phone.Messages("general")).ToHaveCountAsync(0);
        await relay.NextHeldAsync(TimeSpan.FromSeconds(20), ct);

        var stale = laptop.Messages("general").Last;
        await stale.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await stale.GetByLabel("New text").FillAsync("changed");
        await stale.GetByLabel("New text").PressAsync("Enter");
        await Expect(laptop.Notice).ToHaveTextAsync("Not edited: not found");
        await Expect(laptop.Texts("general")).ToHaveTextAsync(["soon gone"]);
    }

    private static List<JsonElement> Frames(ChatPage page) => [.. page.SentFrames.Select(f => JsonDocument.Parse(f).RootElement)];
}
