using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// Unread counts from read markers: each thread counts the messages from others above the user's marker; the thread
/// shown is read (<c>{"read": {"thread", "id"}}</c>, only when it moves forward), the user's other devices follow, and a
/// login's <c>{"reads": {…}}</c> sets the counts.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageUnreadTests : BrowserTestBase
{
    [Test]
    public async Task ReadingAThreadOnOneDeviceClearsItsCountOnTheOther(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        var phone = await OpenLoggedInPageAsync(server, "alice");
        var laptop = await OpenLoggedInPageAsync(server, "alice");

        await carol.SendAndAckAsync("ops", "deploy at five", "r1", ct);
        var last = await carol.SendAndAckAsync("ops", "or six", "r2", ct);
        await Expect(phone.Unread("ops")).ToHaveTextAsync("2 unread");
        await Expect(laptop.Unread("ops")).ToHaveTextAsync("2 unread");

        await phone.SelectThreadAsync("ops");
        await Expect(phone.Unread("ops")).ToHaveTextAsync("");
        await Expect(laptop.Unread("ops")).ToHaveTextAsync("", new() { Timeout = TimeoutMs });

        // The phone said it read ops up to carol's last message, once; the laptop heard it from the server.
        var reads = phone.SentFrames.Where(f => f.Contains("\"read\"", StringComparison.Ordinal)).Select(Read).ToList();
        Assert.That(reads, Is.EqualTo(new[] { ("ops", last.Id) }));
        await laptop.FrameAsync(laptop.ReceivedFrames, f => f.StartsWith("{\"read\"", StringComparison.Ordinal), FrameTimeout, ct);
        Assert.That(laptop.SentFrames.Any(f => f.Contains("\"read\"", StringComparison.Ordinal)), Is.False,
            "the laptop read nothing itself: ops is not shown there");

        // Selecting it again moves nothing forward: no second read frame.
        await phone.SelectThreadAsync("general");
        await phone.SelectThreadAsync("ops");
        await phone.SendAsync("ok");
        await Expect(phone.Messages("ops").Last).ToHaveAttributeAsync("data-state", "sent");
        Assert.That(phone.SentFrames.Count(f => f.Contains("\"read\"", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task CountsAfterAReloadComeFromTheMarkersTheServerKept(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        await carol.SendAndAckAsync("ops", "ops 1", "r1", ct);
        for (var i = 0; i < 3; i++)
        {
            await carol.SendAndAckAsync("dev", $"dev {i}", $"d{i}", ct);
        }

        var page = await OpenLoggedInPageAsync(server, "alice");
        await Expect(page.Unread("ops")).ToHaveTextAsync("1 unread");
        await Expect(page.Unread("dev")).ToHaveTextAsync("3 unread");
        await page.SelectThreadAsync("ops");
        await Expect(page.Unread("ops")).ToHaveTextAsync("");
        await page.FrameAsync(page.SentFrames, f => f.StartsWith("{\"read\"", StringComparison.Ordinal), FrameTimeout, ct);
        await carol.SendAndAckAsync("dev", "dev 3", "d3", ct);
        await Expect(page.Unread("dev")).ToHaveTextAsync("4 unread");

        // The reload forgets everything but what the server kept: ops is read, dev is not.
        await page.Page.ReloadAsync();
        await page.LoginAsync("alice", ChatterServer.DefaultUsers["alice"]);
        var markers = JsonDocument.Parse(await page.FrameAsync(
            page.ReceivedFrames, f => f.StartsWith("{\"reads\"", StringComparison.Ordinal) && f.Contains("ops", StringComparison.Ordinal), FrameTimeout, ct)).RootElement.GetProperty("reads");
        Assert.That(markers.TryGetProperty("ops", out _), Is.True, "the server gave the ops marker back");
        await Expect(page.Unread("ops")).ToHaveTextAsync("");
        await Expect(page.Unread("dev")).ToHaveTextAsync("4 unread");
        await Expect(page.Texts("ops")).ToHaveTextAsync(["ops 1"]);
    }

    [Test]
    public async Task MessagesArrivingInAThreadNotShownRaiseItsCountButOwnOnesAndTheShownThreadDoNot(CancellationToken ct)
    {
        var server = await StartServerAsync();
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        var page = await OpenLoggedInPageAsync(server, "alice");

        await carol.SendAndAckAsync("ops", "one", "r1", ct);
        await Expect(page.Unread("ops")).ToHaveTextAsync("1 unread");
        await carol.SendAndAckAsync("ops", "two", "r2", ct);
        await carol.SendAndAckAsync("ops", "three", "r3", ct);
        await Expect(page.Unread("ops")).ToHaveTextAsync("3 unread");

        // In the thread shown, carol's message is read at once: no count, and the page says so.
        var shown = await carol.SendAndAckAsync("general", "hello alice", "g1", ct);
        await Expect(page.Texts("general")).ToHaveTextAsync(["hello alice"]);
        await Expect(page.Unread("general")).ToHaveTextAsync("");
        var read = await page.FrameAsync(page.SentFrames, f => f.StartsWith("{\"read\"", StringComparison.Ordinal), FrameTimeout, ct);
        Assert.That(Read(read), Is.EqualTo(("general", shown.Id)));

        // Our own messages never count as unread.
        await page.SelectThreadAsync("ops");
        await Expect(page.Unread("ops")).ToHaveTextAsync("");
        await page.SendAsync("on it");
        await Expect(page.Messages("ops").Last).ToHaveAttributeAsync("data-state", "sent");
        Assert.That((await carol.ReceiveMessageAsync(ct)).Message, Is.EqualTo("on it"));
        await page.SelectThreadAsync("general");
        await carol.SendAndAckAsync("ops", "thanks", "r4", ct);
        await Expect(page.Texts("ops")).ToHaveTextAsync(["one", "two", "three", "on it", "thanks"]);
        await Expect(page.Unread("ops")).ToHaveTextAsync("1 unread");
    }

    private static (string Thread, long Id) Read(string frame)
    {
        var read = JsonDocument.Parse(frame).RootElement.GetProperty("read");
        return (read.GetProperty("thread").GetString()!, read.GetProperty("id").GetInt64());
    }
}
