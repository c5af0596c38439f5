using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// The page's side of the edit, delete and direct message frames, exactly as the README's contract writes them, handed
/// to the page through the relay in the server's place (these tests need no server support for them; the end-to-end
/// tests are <see cref="ChatPageEditDeleteTests"/> and <see cref="ChatPageDirectMessageTests"/>).
/// </summary>
[CancelAfter(180_000)]
public class ChatPageChangeFramesTests : BrowserTestBase
{
    [Test]
    public async Task EditedAndDeletedNoticesChangeTheMessageInPlaceOrRemoveIt(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        var (bob, relay) = await OpenRelayedPageAsync(server, "bob");
        var first = await carol.SendAndAckAsync("ops", "deploy at fice", "r1", ct);
        await carol.SendAndAckAsync("ops", "or six", "r2", ct);
        await Expect(bob.Unread("ops")).ToHaveTextAsync("2 unread");

        relay.Release(Edited(first.Id, "ops", "carol", "deploy at five", first.Ts));
        await Expect(bob.Texts("ops")).ToHaveTextAsync(["deploy at five", "or six"]);
        await Expect(bob.Messages("ops").First.Locator(".edited")).ToHaveTextAsync("(edited)");
        await Expect(bob.Messages("ops").Last.Locator(".edited")).ToHaveTextAsync("");

        relay.Release($$"""{"deleted":{{first.Id}},"thread":"ops"}""");
        await Expect(bob.Texts("ops")).ToHaveTextAsync(["or six"]);
        await Expect(bob.Unread("ops")).ToHaveTextAsync("1 unread");
        // Others' messages carry no controls.
        await Expect(bob.Messages("ops").GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
    }

    [Test]
    public async Task EditAndDeleteSendTheirFramesAndFollowTheAnswersAndRefusals(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var (alice, relay) = await OpenRelayedPageAsync(server, "alice");
        await alice.SendAsync("lunch at noom");
        var mine = alice.Messages("general").Last;
        await Expect(mine).ToHaveAttributeAsync("data-state", "sent");
        var id = long.Parse((await mine.GetAttributeAsync("data-id"))!, CultureInfo.InvariantCulture);
        relay.LoseFromPage = IsChange;

        // Escape leaves the text as it was, and sends nothing.
        await mine.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await mine.GetByLabel("New text").PressAsync("Escape");
        await Expect(mine.GetByLabel("New text")).ToHaveCountAsync(0);
        await Expect(mine.Locator(".text")).ToHaveTextAsync("lunch at noom");

        await mine.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await Expect(mine.GetByLabel("New text")).ToHaveValueAsync("lunch at noom");
        await mine.GetByLabel("New text").FillAsync("lunch at noon");
        await mine.GetByLabel("New text").PressAsync("Enter");
        var edit = await NextLostAsync(relay, ct);
        Assert.That((edit.GetProperty("edit").GetInt64(), edit.GetProperty("message").GetString()), Is.EqualTo((id, "lunch at noon")));
        await Expect(mine.Locator(".text")).ToHaveTextAsync("lunch at noom");   // not changed before the answer

        var answer = Edited(id, "general", "alice", "lunch at noon", (await mine.Locator("time").GetAttributeAsync("datetime"))!);
        relay.Release($$"""{"ref":"{{edit.GetProperty("ref").GetString()}}",{{answer[1..]}}""");
        await Expect(mine.Locator(".text")).ToHaveTextAsync("lunch at noon");
        await Expect(mine.Locator(".edited")).ToHaveTextAsync("(edited)");
        await Expect(mine.GetByLabel("New text")).ToHaveCountAsync(0);

        // A refusal is shown as it came, and the message stays.
        await mine.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var refused = await NextLostAsync(relay, ct);
        relay.Release($$"""{"ref":"{{refused.GetProperty("ref").GetString()}}","error":"not yours"}""");
        await Expect(alice.Notice).ToHaveTextAsync("Not deleted: not yours");
        await Expect(alice.Texts("general")).ToHaveTextAsync(["lunch at noon"]);

        await mine.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var delete = await NextLostAsync(relay, ct);
        Assert.That(delete.GetProperty("delete").GetInt64(), Is.EqualTo(id));
        Assert.That(delete.GetProperty("ref").GetString(), Is.Not.EqualTo(refused.GetProperty("ref").GetString()));
        relay.Release($$"""{"ref":"{{delete.GetProperty("ref").GetString()}}","deleted":{{id}},"thread":"general"}""");
        await Expect(alice.Messages("general")).ToHaveCountAsync(0);
        await Expect(alice.Notice).ToHaveTextAsync("");
    }

    [Test]
    public async Task ADirectMessageIsListedApartByTheOthersNameAndCountedUnread(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var (bob, relay) = await OpenRelayedPageAsync(server, "bob");

        relay.Release($$"""{"thread":"@alice","message":"psst","from":"alice","sender":"alice","id":900001,"ts":"2026-12-02T10:00:00.000Z"}""");
        await Expect(bob.DirectButton("alice").Locator(".thread-name")).ToHaveTextAsync("alice");
        await Expect(bob.DirectButton("alice").Locator(".unread")).ToHaveTextAsync("1 unread");
        await Expect(bob.ThreadButton("@alice")).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByRole(AriaRole.Heading, new() { Name = "Direct messages" })).ToBeVisibleAsync();

        await bob.DirectButton("alice").ClickAsync();
        await Expect(bob.Page.Locator("#thread-title")).ToHaveTextAsync("@alice");
        await Expect(bob.Texts("@alice")).ToHaveTextAsync(["psst"]);
        await Expect(bob.DirectButton("alice").Locator(".unread")).ToHaveTextAsync("");

        // "Message…" with a name (with or without its @) opens the conversation with that person.
        await bob.OpenDirectAsync("@carol");
        await Expect(bob.DirectEntries.Locator(".thread-name")).ToHaveTextAsync(["alice", "carol"]);
        relay.LoseFromPage = frame => frame.Contains("\"thread\":\"@carol\"", StringComparison.Ordinal);
        await bob.SendAsync("hi carol");
        await relay.NextLostAsync(FrameTimeout, ct);
        var sent = relay.FromPage.Single(f => f.Contains("\"thread\":\"@carol\"", StringComparison.Ordinal));
        Assert.That(JsonDocument.Parse(sent).RootElement.GetProperty("message").GetString(), Is.EqualTo("hi carol"));
    }

    /// <summary>The next frame of the page the relay lost (an edit or a delete: the server never sees it).</summary>
    private static async Task<JsonElement> NextLostAsync(WebSocketRelay relay, CancellationToken ct)
    {
        await relay.NextLostAsync(FrameTimeout, ct);
        return JsonDocument.Parse(relay.FromPage.Last(IsChange)).RootElement;
    }

    private static bool IsChange(string frame)
        => frame.StartsWith("{\"edit\"", StringComparison.Ordinal) || frame.StartsWith("{\"delete\"", StringComparison.Ordinal);

    /// <summary><c>{"edited": {…the message with its new text and editedTs}}</c>.</summary>
    private static string Edited(long id, string thread, string from, string text, string ts)
        => JsonSerializer.Serialize(new
        {
            edited = new
            {
                thread,
                message = text,
                from,
                sender = from,
                id,
                ts,
                editedTs = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            },
        });
}
