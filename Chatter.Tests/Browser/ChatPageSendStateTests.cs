using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>A sent message's life on the page: pending until its ack, failed with the server's reason, confirmed after a drop.</summary>
[CancelAfter(180_000)]
public class ChatPageSendStateTests : BrowserTestBase
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task OwnMessageIsPendingUntilItsAckArrives(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        var relay = await WebSocketRelay.AttachAsync(page.Page);
        await page.LoginAsync("alice", ChatterServer.DefaultUsers["alice"]);
        await using var raw = await server.LoginRawAsync("bob", cancellationToken: ct);

        relay.Hold = WebSocketRelay.IsAck;
        await page.SendAsync("is anyone there?");
        var ack = await relay.NextHeldAsync(AckTimeout, ct);

        // Stored and delivered (bob has it), but the page has no ack yet: pending, without id or time.
        Assert.That((await raw.ReceiveMessageAsync(ct)).Message, Is.EqualTo("is anyone there?"));
        var message = page.Messages("general").Last;
        await Expect(message).ToHaveAttributeAsync("data-state", "pending");
        await Expect(message.Locator(".state")).ToHaveTextAsync("sending…");
        await Expect(message).Not.ToHaveAttributeAsync("data-id", new System.Text.RegularExpressions.Regex("."));

        relay.Release(ack);
        var id = JsonDocument.Parse(ack).RootElement.GetProperty("id").GetInt64();
        await Expect(message).ToHaveAttributeAsync("data-state", "sent");
        await Expect(message).ToHaveAttributeAsync("data-id", id.ToString(CultureInfo.InvariantCulture));
        await Expect(message.Locator(".state")).ToHaveTextAsync("");
        await Expect(message.Locator("time")).Not.ToBeEmptyAsync();
    }

    [Test]
    public async Task MessageTheServerRefusesShowsAsFailedWithItsReason(CancellationToken ct)
    {
        var server = await StartServerAsync(new Dictionary<string, string?> { ["Chatter:MaxMessageChars"] = "20" });
        var page = await OpenLoggedInPageAsync(server, "alice");

        await page.SendAsync("this message is longer than twenty characters");

        var message = page.Messages("general").Last;
        await Expect(message).ToHaveAttributeAsync("data-state", "failed");
        await Expect(message.Locator(".state")).ToHaveTextAsync("not sent: message is longer than 20 characters");
        await Expect(message.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
        await Expect(page.Page.GetByRole(Microsoft.Playwright.AriaRole.Alert).Filter(new() { HasText = "Not sent" }))
            .ToHaveTextAsync("Not sent: message is longer than 20 characters");

        // The connection stays usable: the next message goes through (and the alert is gone).
        await page.SendAsync("short one");
        await Expect(page.Notice).ToBeEmptyAsync();
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");
        await Expect(page.Texts("general")).ToHaveTextAsync(["this message is longer than twenty characters", "short one"]);
    }

    [Test]
    public async Task MessageWhoseAckWasLostInADropIsConfirmedByTheReplayNotDuplicated(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var page = await OpenPageAsync(server);
        var relay = await WebSocketRelay.AttachAsync(page.Page);
        await page.LoginAsync("alice", ChatterServer.DefaultUsers["alice"]);

        relay.Hold = WebSocketRelay.IsAck;
        await page.SendAsync("sent as the line dropped");
        var ack = await relay.NextHeldAsync(AckTimeout, ct);
        relay.Hold = null;
        await relay.DropAsync();

        // The page logs in again; the replay holds the stored message, which confirms the pending one.
        await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
        var message = page.Messages("general").Last;
        var id = JsonDocument.Parse(ack).RootElement.GetProperty("id").GetInt64();
        await Expect(message).ToHaveAttributeAsync("data-id", id.ToString(CultureInfo.InvariantCulture));
        await Expect(message).ToHaveAttributeAsync("data-state", "sent");
        await Expect(page.Texts("general")).ToHaveTextAsync(["sent as the line dropped"]);
        await Expect(message.Locator(".retry")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task AnyErrorForAMessageIsShownAndRetrySendsItAgain(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("bob", cancellationToken: ct);
        var page = await OpenPageAsync(server);
        var relay = await WebSocketRelay.AttachAsync(page.Page);
        await page.LoginAsync("alice", ChatterServer.DefaultUsers["alice"]);

        // The page gets an error this server does not send (yet): its text is shown as is.
        relay.Hold = WebSocketRelay.IsAck;
        await page.SendAsync("one more time");
        var reference = JsonDocument.Parse(await relay.NextHeldAsync(AckTimeout, ct)).RootElement.GetProperty("ack").GetString();
        relay.Hold = null;
        relay.Release($"{{\"error\":\"rate limited\",\"ref\":\"{reference}\"}}");
        var message = page.Messages("general").Last;
        await Expect(message).ToHaveAttributeAsync("data-state", "failed");
        await Expect(message.Locator(".state")).ToHaveTextAsync("not sent: rate limited");

        await message.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(page.Messages("general")).ToHaveCountAsync(1);
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");
        await Expect(page.Texts("general")).ToHaveTextAsync(["one more time"]);
        Assert.That((await raw.ReceiveMessageAsync(ct)).Message, Is.EqualTo("one more time"), "the first send (stored, its ack replaced)");
        Assert.That((await raw.ReceiveMessageAsync(ct)).Message, Is.EqualTo("one more time"), "the retry");
    }
}
