using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>A sent message's life on the page: pending until its ack, failed with the server's reason, resent with its ref after a drop.</summary>
[CancelAfter(180_000)]
public class ChatPageSendStateTests : BrowserTestBase
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task OwnMessageIsPendingUntilItsAckArrives(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var (page, relay) = await OpenRelayedPageAsync(server, "alice");
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
    public async Task MessageWhoseAckWasLostInADropIsResentWithItsRefAndPostedOnce(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        var (page, relay) = await OpenRelayedPageAsync(server, "alice");

        // Stored and broadcast, but its ack is lost with the connection.
        relay.Hold = WebSocketRelay.IsAck;
        await page.SendAsync("sent as the line dropped");
        var ack = JsonDocument.Parse(await relay.NextHeldAsync(AckTimeout, ct)).RootElement;
        Assert.That((await bob.ReceiveMessageAsync(ct)).Message, Is.EqualTo("sent as the line dropped"));
        relay.Hold = null;
        await relay.DropAsync();

        // The page logs in again and sends the frame again with the same ref: the server answers the original ack.
        await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
        var message = page.Messages("general").Last;
        await Expect(message).ToHaveAttributeAsync("data-id", ack.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
        await Expect(message).ToHaveAttributeAsync("data-state", "sent");
        await Expect(page.Texts("general")).ToHaveTextAsync(["sent as the line dropped"]);
        await Expect(message.Locator(".retry")).ToHaveCountAsync(0);
        Assert.That(ChatFramesOf(relay).Where(f => f.Message == "sent as the line dropped").Select(f => f.Ref),
            Is.EqualTo(new[] { ack.GetProperty("ack").GetString(), ack.GetProperty("ack").GetString() }), "sent twice, with one ref");

        // Posted once: bob got it once, and a late joiner's history holds it once.
        await bob.AssertNothingBeforeOwnAckAsync("probe", ct);
        await using var late = await server.LoginRawAsync("carol", cancellationToken: ct);
        Assert.That((await late.ReceiveMessageAsync(ct)).Message, Is.EqualTo("sent as the line dropped"));
        Assert.That((await late.ReceiveMessageAsync(ct)).Message, Is.EqualTo("probe"));
        await late.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task MessageLostOnItsWayToTheServerInADropIsSentAfterTheReconnectAndPostedOnce(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        var (page, relay) = await OpenRelayedPageAsync(server, "alice");

        // The frame never reaches the server; the connection drops while the message is pending.
        relay.LoseFromPage = frame => frame.Contains("\"never arrived\"", StringComparison.Ordinal);
        await page.SendAsync("never arrived");
        await relay.NextLostAsync(AckTimeout, ct);
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "pending");
        relay.LoseFromPage = null;
        await relay.DropAsync();

        await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
        var received = await bob.ReceiveMessageAsync(ct);
        Assert.That((received.Message, received.From), Is.EqualTo(("never arrived", "alice")));
        var message = page.Messages("general").Last;
        await Expect(message).ToHaveAttributeAsync("data-state", "sent");
        await Expect(message).ToHaveAttributeAsync("data-id", received.Id.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Texts("general")).ToHaveTextAsync(["never arrived"]);
        Assert.That(ChatFramesOf(relay).Select(f => f.Ref).Distinct().Count(), Is.EqualTo(1), "the resend kept its ref");
        await bob.AssertNothingBeforeOwnAckAsync("probe", ct);
    }

    [Test]
    public async Task AnyErrorForAMessageIsShownAndRetrySendsItAgain(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var raw = await server.LoginRawAsync("bob", cancellationToken: ct);
        var (page, relay) = await OpenRelayedPageAsync(server, "alice");

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

    /// <summary>The chat frames the page sent through <paramref name="relay"/>: (message, ref).</summary>
    private static List<(string Message, string? Ref)> ChatFramesOf(WebSocketRelay relay)
        => relay.FromPage.Select(f => JsonDocument.Parse(f).RootElement)
            .Where(f => f.TryGetProperty("message", out _))
            .Select(f => (f.GetProperty("message").GetString()!, f.TryGetProperty("ref", out var r) ? r.GetString() : null))
            .ToList();
}
