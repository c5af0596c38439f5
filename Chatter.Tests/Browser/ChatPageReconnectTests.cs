using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>
/// A dropped connection: the page logs in again with "v": 2, <c>since</c> its last <c>upTo</c> and its <c>epoch</c>,
/// and shows what it missed, once.
/// </summary>
[CancelAfter(180_000)]
public class ChatPageReconnectTests : BrowserTestBase
{
    [Test]
    public async Task AfterTheServerDropsThePageItReconnectsAndShowsWhatItMissedExactlyOnce(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // The page's server: stopped under it, later started again on the same port with the same history file.
            // 60 quick messages from one client: over the default rate limit, which is not what this test is about.
            var first = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, directory: directory);
            var port = first.HttpUri.Port;
            ChatPage page;
            var before = new List<long>();
            await using (first)
            {
                page = await OpenLoggedInPageAsync(first, "alice");
                await using var raw = await first.LoginRawAsync("carol", cancellationToken: ct);
                for (var i = 0; i < 60; i++)
                {
                    before.Add((await raw.SendAndAckAsync("general", $"before {i}", $"r{i}", ct)).Id);
                }

                await Expect(page.Texts("general")).ToHaveCountAsync(before.Count);
            }

            var seenId = before[^1];
            await Expect(page.Status).ToContainTextAsync("Offline");
            await Expect(page.Page.Locator("#send")).ToBeDisabledAsync();

            // While the page is away, messages are stored by a server on the same history file at another port,
            // one the page does not know: they can reach the page only through the replay after its reconnect.
            var missed = new List<long>();
            await using (var meanwhile = await ChatterServer.StartAsync(directory: directory, writeUsersFile: false))
            {
                Assert.That(meanwhile.HttpUri.Port, Is.Not.EqualTo(port));
                await using var raw = await meanwhile.LoginRawAsync("carol", since: seenId, cancellationToken: ct);
                for (var i = 0; i < 3; i++)
                {
                    missed.Add((await raw.SendAndAckAsync("general", $"missed {i}", $"m{i}", ct)).Id);
                }
            }

            // Where the page will resume: the last upTo the server gave it (the recovery answer or a checkpoint), with
            // the answer's epoch. Checkpoints come at most once a second, so it may well be below the highest id seen.
            var received = page.ReceivedFrames.Select(f => JsonDocument.Parse(f).RootElement).ToList();
            var resumeFrom = received.Last(f => f.TryGetProperty("upTo", out _)).GetProperty("upTo").GetInt64();
            var epoch = received.Single(f => f.TryGetProperty("recovered", out _)).GetProperty("epoch").GetString();
            Assert.That(resumeFrom, Is.InRange(0, seenId));

            var second = await StartServerAsync(
                new Dictionary<string, string?> { ["Urls"] = $"http://127.0.0.1:{port}" }, directory, writeUsersFile: false);
            // Backoff is capped at 10 s (plus the attempt itself).
            await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
            // The replay from upTo holds the messages seen above it again (dropped by their ids), and the missed ones.
            var expected = before.Select((_, i) => $"before {i}").Concat(missed.Select((_, i) => $"missed {i}")).ToArray();
            await Expect(page.Texts("general")).ToHaveTextAsync(expected);
            Assert.That(
                await page.Messages("general").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)"),
                Is.EqualTo(before.Concat(missed).Select(id => id.ToString(CultureInfo.InvariantCulture))));
            await Expect(page.GapNotice).ToBeHiddenAsync();

            // Every login speaks v2; every one after the first resumes from that upTo and epoch.
            var logins = page.SentFrames.Select(f => JsonDocument.Parse(f).RootElement)
                .Where(f => f.TryGetProperty("username", out _)).ToList();
            Assert.That(logins, Has.Count.GreaterThanOrEqualTo(2), "the page logged in again");
            Assert.That(logins.Select(f => f.GetProperty("v").GetInt32()), Is.All.EqualTo(2));
            Assert.That(logins[0].TryGetProperty("since", out _) || logins[0].TryGetProperty("epoch", out _), Is.False,
                "the first login asks for the whole history");
            Assert.That(logins.Skip(1).Select(f => (f.GetProperty("since").GetInt64(), f.GetProperty("epoch").GetString())),
                Is.All.EqualTo((resumeFrom, epoch)));

            // And the conversation goes on both ways.
            await using var after = await second.LoginRawAsync("carol", since: missed[^1], cancellationToken: ct);
            await after.SendAndAckAsync("general", "after the reconnect", "r2", ct);
            await page.SendAsync("glad to be back");
            await Expect(page.Texts("general")).ToHaveTextAsync([.. expected, "after the reconnect", "glad to be back"]);
            await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");
            Assert.That((await after.ReceiveMessageAsync(ct)).Message, Is.EqualTo("glad to be back"));
        }
        finally
        {
            await SaveScreenshotsAndCloseAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a stopped server: the temp directory is cleaned by the OS.
            }
        }
    }

    [Test]
    public async Task AMessageOvertakenByAHigherIdAndLostInADropIsRecoveredOnce(CancellationToken ct)
    {
        var server = await StartServerAsync(ChatterServer.NoRateLimit);
        await using var raw = await server.LoginRawAsync("carol", cancellationToken: ct);
        for (var i = 0; i < 55; i++)
        {
            await raw.SendAndAckAsync("general", $"m{i}", $"r{i}", ct);
        }

        var (page, relay) = await OpenRelayedPageAsync(server, "alice");
        await Expect(page.Texts("general")).ToHaveCountAsync(55);

        // Carol's next message is stored, but held on its way to the page; the page's own message, stored after it,
        // is acked: the page has seen a higher id than the one it is missing (live ids of different senders may
        // arrive out of order). Then the connection drops. Checkpoints are held too: the server sends one covering
        // carol's message only after that message, so none can reach the page before it.
        relay.Hold = frame => frame.Contains("\"from\":\"carol\"", StringComparison.Ordinal) || WebSocketRelay.IsCheckpoint(frame);
        var late = await raw.SendAndAckAsync("general", "overtaken", "late", ct);
        await relay.NextHeldAsync(frame => frame.Contains("overtaken", StringComparison.Ordinal), TimeSpan.FromSeconds(20), ct);
        await page.SendAsync("mine");
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-state", "sent");
        Assert.That(long.Parse((await page.Messages("general").Last.GetAttributeAsync("data-id"))!, CultureInfo.InvariantCulture), Is.GreaterThan(late.Id));
        relay.Hold = null;
        await relay.DropAsync();

        await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
        await Expect(page.Texts("general")).ToHaveTextAsync([.. Enumerable.Range(0, 55).Select(i => $"m{i}"), "mine", "overtaken"]);
        await Expect(page.Messages("general").Last).ToHaveAttributeAsync("data-id", late.Id.ToString(CultureInfo.InvariantCulture));
        var resumedFrom = relay.FromPage.Select(f => JsonDocument.Parse(f).RootElement)
            .Where(f => f.TryGetProperty("username", out _)).Last().GetProperty("since").GetInt64();
        Assert.That(resumedFrom, Is.LessThan(late.Id), "the page resumed from its last upTo, below the message it missed");
    }
}
