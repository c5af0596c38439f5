using System.Globalization;
using System.Text.Json;
using Chatter.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chatter.Tests.Browser;

/// <summary>A dropped connection: the page logs in again with <c>since</c> and shows what it missed, once.</summary>
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
            var first = await ChatterServer.StartAsync(directory: directory);
            var port = first.HttpUri.Port;
            ChatPage page;
            long seenId;
            await using (first)
            {
                page = await OpenLoggedInPageAsync(first, "alice");
                await using var raw = await first.LoginRawAsync("carol", cancellationToken: ct);
                seenId = (await raw.SendAndAckAsync("general", "before the drop", "r1", ct)).Id;
                await Expect(page.Texts("general")).ToHaveTextAsync(["before the drop"]);
            }

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

            var second = await StartServerAsync(
                new Dictionary<string, string?> { ["Urls"] = $"http://127.0.0.1:{port}" }, directory, writeUsersFile: false);
            // Backoff is capped at 10 s (plus the attempt itself).
            await Expect(page.Status).ToHaveTextAsync("Online", new() { Timeout = 45_000 });
            await Expect(page.Texts("general")).ToHaveTextAsync(["before the drop", "missed 0", "missed 1", "missed 2"]);
            Assert.That(
                await page.Messages("general").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)"),
                Is.EqualTo(new[] { seenId }.Concat(missed).Select(id => id.ToString(CultureInfo.InvariantCulture))));

            // Every login after the first asked only for what the page had not seen.
            var logins = page.SentFrames.Select(f => JsonDocument.Parse(f).RootElement)
                .Where(f => f.TryGetProperty("username", out _)).ToList();
            Assert.That(logins, Has.Count.GreaterThanOrEqualTo(2), "the page logged in again");
            Assert.That(logins[0].TryGetProperty("since", out _), Is.False, "the first login asks for the whole history");
            Assert.That(logins.Skip(1).Select(f => f.GetProperty("since").GetInt64()), Is.All.EqualTo(seenId));

            // And the conversation goes on both ways.
            await using var after = await second.LoginRawAsync("carol", since: missed[^1], cancellationToken: ct);
            await after.SendAndAckAsync("general", "after the reconnect", "r2", ct);
            await page.SendAsync("glad to be back");
            await Expect(page.Texts("general")).ToHaveTextAsync(
                ["before the drop", "missed 0", "missed 1", "missed 2", "after the reconnect", "glad to be back"]);
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
}
