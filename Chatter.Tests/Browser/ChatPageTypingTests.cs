using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// "alice is typing…": typing sends <c>{"typing": thread}</c> at most once a second; a <c>{"typing", "user"}</c> notice
/// shows under its thread for about three seconds, or until that user's message arrives; never one's own. Time is the
/// page's fake clock (Playwright's <c>Page.Clock</c>), never a wait.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageTypingTests : BrowserTestBase
{
    [Test]
    public async Task TypingShowsForOthersNeverOnTheTypistsOwnDevicesAndEndsWithTheirMessageOrAfterThreeSeconds(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var bob = await OpenLoggedInPageAsync(server, "bob", fakeClock: true);
        var alice = await OpenLoggedInPageAsync(server, "alice");
        var tablet = await OpenLoggedInPageAsync(server, "alice");

        await alice.MessageBox.PressSequentiallyAsync("see you");
        await Expect(bob.Typing).ToHaveTextAsync("alice is typing…");
        // From now on bob's page runs no timer by itself: what clears the notice below is alice's message.
        await PauseClockAsync(bob);

        // alice's other device got the notice too (the server sends it to every other v2 connection), and shows nothing.
        await tablet.FrameAsync(tablet.ReceivedFrames, f => f.StartsWith("{\"typing\"", StringComparison.Ordinal), FrameTimeout, ct);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        await carol.SendAndAckAsync("general", "after the notice", "c1", ct);
        await Expect(tablet.Texts("general")).ToHaveTextAsync(["after the notice"]);
        await Expect(tablet.Typing).ToHaveTextAsync("");
        await Expect(alice.Typing).ToHaveTextAsync("");
        await Expect(bob.Typing).ToHaveTextAsync("alice is typing…");

        await alice.MessageBox.PressAsync("Enter");
        await Expect(bob.Texts("general")).ToHaveTextAsync(["after the notice", "see you"]);
        await Expect(bob.Typing).ToHaveTextAsync("");

        // Someone who types and sends nothing shows for three seconds after their last notice.
        var (watcher, _) = await server.LoginV2Async("carol", cancellationToken: ct);
        await using (watcher)
        {
            await watcher.SendJsonAsync(new { typing = "general" }, ct);
            await Expect(bob.Typing).ToHaveTextAsync("carol is typing…");
            await bob.Page.Clock.RunForAsync(2_500);
            await Expect(bob.Typing).ToHaveTextAsync("carol is typing…");
            await bob.Page.Clock.RunForAsync(600);
            await Expect(bob.Typing).ToHaveTextAsync("");
        }
    }

    [Test]
    public async Task TypingSendsOneNoticeASecondAtMostAndOnlyForTheThreadShown(CancellationToken ct)
    {
        var server = await StartServerAsync();
        var alice = await OpenLoggedInPageAsync(server, "alice", fakeClock: true);
        await PauseClockAsync(alice);

        await alice.MessageBox.PressSequentiallyAsync("many keys typed in no time");
        await alice.MessageBox.PressAsync("Enter");
        await alice.FrameAsync(alice.SentFrames, f => f.Contains("many keys typed", StringComparison.Ordinal), FrameTimeout, ct);
        Assert.That(TypingFrames(alice), Is.EqualTo(new[] { "{\"typing\":\"general\"}" }));

        // Another second: one more notice. Another thread: its own.
        await alice.Page.Clock.FastForwardAsync(1_000);
        await alice.MessageBox.PressSequentiallyAsync("a second later");
        await alice.OpenThreadAsync("ops");
        await alice.MessageBox.PressSequentiallyAsync("elsewhere");
        await alice.MessageBox.PressAsync("Enter");
        await alice.FrameAsync(alice.SentFrames, f => f.Contains("a second laterelsewhere", StringComparison.Ordinal), FrameTimeout, ct);
        Assert.That(TypingFrames(alice), Is.EqualTo(new[] { "{\"typing\":\"general\"}", "{\"typing\":\"general\"}", "{\"typing\":\"ops\"}" }));
    }

    private static string[] TypingFrames(ChatPage page)
        => [.. page.SentFrames.Where(f => f.StartsWith("{\"typing\"", StringComparison.Ordinal))];

    /// <summary>
    /// Stops <paramref name="page"/>'s fake clock a little ahead of where it is (no timer due runs on the way). The clock
    /// flows while the call travels: when that target has passed already, again with a larger lead.
    /// </summary>
    private static async Task PauseClockAsync(ChatPage page)
    {
        foreach (var leadMs in new[] { 50, 200, 1_000 })
        {
            var now = await page.Page.EvaluateAsync<long>("() => Date.now()");
            try
            {
                await page.Page.Clock.PauseAtAsync(DateTimeOffset.FromUnixTimeMilliseconds(now + leadMs).UtcDateTime);
                return;
            }
            catch (PlaywrightException ex) when (ex.Message.Contains("to the past", StringComparison.Ordinal))
            {
                // The page's clock passed the target before the call arrived.
            }
        }

        Assert.Fail("the page's clock could not be paused ahead of itself");
    }
}
