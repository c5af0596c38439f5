using Chatter.Tests.Infrastructure;
using Chatter.Tests.Moderation;
using Chatter.Tests.Recovery;
using Serilog.Events;

namespace Chatter.Tests.Conversations;

/// <summary>
/// Issue 16, point 4 (and point 5's delete), raw clients: <c>{"edit": 17, "message", "ref"}</c> and
/// <c>{"delete": 17, "ref"}</c> by the author are answered with the ref and told to the other v2 connections (not to v1
/// ones); another user's are refused with <c>not yours</c> and change nothing; an admin may delete anyone's (logged) but
/// not edit it; replay and paging return the current text and leave deleted messages out.
/// </summary>
[CancelAfter(60_000)]
public class EditTests
{
    [Test]
    public async Task TheAuthorsEditAndDeleteAreAnsweredAndReachTheOtherV2ConnectionsButNotV1Ones(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: EditFrames.WithoutCheckpoints);
        var (author, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        var (authorsPhone, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        var (reader, _) = await server.LoginV2Async("bob", cancellationToken: ct);
        await using var _ = author;
        await using var __ = authorsPhone;
        await using var ___ = reader;
        await using var oldClient = await server.LoginRawAsync("carol", cancellationToken: ct);
        var sent = await author.SendAndAckAsync("general", "helo", "m1", ct);
        foreach (var client in new[] { authorsPhone, reader, oldClient })
        {
            Assert.That((await client.ReceiveMessageAsync(ct)).Message, Is.EqualTo("helo"));
        }

        await author.SendEditAsync(sent.Id, "hello", "e1", ct);
        var (reference, edited, editedTs) = await author.ReceiveEditedAsync(ct);
        Assert.That((reference, edited), Is.EqualTo(("e1", new RawChatMessage("general", "hello", "alice", "alice", sent.Id, sent.Ts))));
        foreach (var client in new[] { authorsPhone, reader })
        {
            Assert.That(await client.ReceiveEditedAsync(ct), Is.EqualTo(((string?)null, edited, editedTs)), "the notice is the message with its new text");
        }

        await author.SendDeleteAsync(sent.Id, "d1", ct);
        Assert.That(await author.ReceiveDeletedAsync(ct), Is.EqualTo(("d1", sent.Id, "general")));
        foreach (var client in new[] { authorsPhone, reader })
        {
            Assert.That(await client.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, sent.Id, "general")));
        }

        // A fence: for the v1 client the next frame is it, so it got neither notice.
        var fence = await reader.SendAndAckAsync("general", "fence", "f", ct);
        Assert.That((await oldClient.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id));
        var (later, answer) = await server.LoginV2Async("carol", cancellationToken: ct);
        await using var ____ = later;
        Assert.That(answer.Replay.Select(m => m.Id), Is.EqualTo(new[] { fence.Id }), "the deleted message is not replayed");
    }

    [Test]
    public async Task AnEditedMessageIsReplayedAndPagedWithItsNewTextAndEditedTs(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: EditFrames.WithoutCheckpoints);
        var (author, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = author;
        var first = await author.SendAndAckAsync("general", "first", "m1", ct);
        var second = await author.SendAndAckAsync("general", "second", "m2", ct);
        await author.SendEditAsync(first.Id, "first, edited", null, ct);
        var (reference, _, editedTs) = await author.ReceiveEditedAsync(ct);
        Assert.That(reference, Is.Null, "without a ref the answer is the notice's frame");

        await using var raw = await server.ConnectRawAsync(ct);
        await raw.LoginAsync("bob", "bob-pw", cancellationToken: ct);
        await raw.ReceiveTextAsync(ct);
        var replayed = await raw.ReceiveTextAsync(ct);
        Assert.That(replayed, Does.Contain("\"message\":\"first, edited\"").And.EndWith($",\"editedTs\":\"{editedTs}\"}}"));
        Assert.That((await raw.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id), "a message never edited is in its original shape");

        await raw.SendJsonAsync(new { history = new { thread = "general", limit = 10 }, @ref = "h" }, ct);
        var page = await raw.ReceiveJsonAsync(ct);
        var messages = page.GetProperty("history").EnumerateArray().ToList();
        Assert.That(messages.Select(m => m.GetProperty("message").GetString()), Is.EqualTo(new[] { "first, edited", "second" }));
        Assert.That(messages.Select(m => m.TryGetProperty("editedTs", out var ts) ? ts.GetString() : null), Is.EqualTo(new[] { editedTs, null }));
    }

    [Test]
    public async Task AnotherUsersEditAndDeleteAreRefusedChangeNothingAndNobodyIsTold(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: EditFrames.WithoutCheckpoints);
        var (author, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        var (other, _) = await server.LoginV2Async("bob", cancellationToken: ct);
        var (watcher, _) = await server.LoginV2Async("carol", cancellationToken: ct);
        await using var _ = author;
        await using var __ = other;
        await using var ___ = watcher;
        var sent = await author.SendAndAckAsync("general", "mine", "m1", ct);
        await other.ReceiveMessageAsync(ct);
        await watcher.ReceiveMessageAsync(ct);

        await other.SendEditAsync(sent.Id, "theirs", "e1", ct);
        Assert.That(await other.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("not yours", "e1")));
        await other.SendDeleteAsync(sent.Id, "d1", ct);
        Assert.That(await other.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("not yours", "d1")));

        var fence = await other.SendAndAckAsync("general", "fence", "f", ct);
        foreach (var client in new[] { author, watcher })
        {
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), "nobody was told");
        }

        await using var hub = await server.ConnectHubAsync("carol", cancellationToken: ct);
        Assert.That((await hub.GetHistoryAsync(null, null, 10, ct)).Select(m => (m.Message, m.EditedTs)), Is.EqualTo(new[] { ("mine", (DateTimeOffset?)null), ("fence", null) }));
        var refused = await server.Logs.WaitForEventAsync(809, cancellationToken: ct);
        Assert.That(Properties(refused), Is.EqualTo(("delete", "bob", sent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "alice", "not yours")));
    }

    [Test]
    public async Task AnAdminMayDeleteAnyonesMessageLoggedButNotEditIt(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin(ChatterServer.NoRateLimit), configureServices: EditFrames.WithoutCheckpoints);
        var (admin, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        var (author, _) = await server.LoginV2Async("bob", cancellationToken: ct);
        await using var _ = admin;
        await using var __ = author;
        var sent = await author.SendAndAckAsync("general", "spam", "m1", ct);
        await admin.ReceiveMessageAsync(ct);

        await admin.SendEditAsync(sent.Id, "ham", "e1", ct);
        Assert.That(await admin.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("not yours", "e1")), "an admin may not put words in anyone's mouth");
        await admin.SendDeleteAsync(sent.Id, "d1", ct);
        Assert.That(await admin.ReceiveDeletedAsync(ct), Is.EqualTo(("d1", sent.Id, "general")));
        Assert.That(await author.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, sent.Id, "general")), "the author is told too");
        await admin.SendDeleteAsync(sent.Id, "d2", ct);
        Assert.That(await admin.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("not found", "d2")));

        var done = await server.Logs.WaitForEventAsync(808, cancellationToken: ct);
        Assert.That(done.Level, Is.EqualTo(LogEventLevel.Warning));
        Assert.That(Properties(done), Is.EqualTo(("delete", "alice", sent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "bob", (string?)null)));
        var refused = await server.Logs.WaitForEventAsync(809, cancellationToken: ct);
        Assert.That(Properties(refused), Is.EqualTo(("delete", "alice", sent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)null, "not found")));
    }

    [TestCase("{\"edit\": 999999, \"message\": \"x\", \"ref\": \"r\"}", "not found")]
    [TestCase("{\"delete\": 999999, \"ref\": \"r\"}", "not found")]
    [TestCase("{\"edit\": ID, \"message\": \"\", \"ref\": \"r\"}", "message must not be empty")]
    [TestCase("{\"edit\": ID, \"message\": \"TOO_LONG\", \"ref\": \"r\"}", "message is longer than 10 characters")]
    [TestCase("{\"edit\": ID, \"ref\": \"r\"}", "message is required")]
    [TestCase("{\"edit\": ID, \"message\": 5, \"ref\": \"r\"}", "message must be a string")]
    [TestCase("{\"edit\": 0, \"message\": \"x\", \"ref\": \"r\"}", "edit must be a positive message id")]
    [TestCase("{\"edit\": \"ID\", \"message\": \"x\", \"ref\": \"r\"}", "edit must be a positive message id")]
    [TestCase("{\"delete\": -1, \"ref\": \"r\"}", "delete must be a positive message id")]
    [TestCase("{\"delete\": 1.5, \"ref\": \"r\"}", "delete must be a positive message id")]
    public async Task AnEditOrDeleteThatCannotBeDoneIsAnsweredWithItsReasonAndTheTextStays(string frame, string reason, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:MessagesPerSecond"] = "0", ["Chatter:MaxMessageChars"] = "10" }, configureServices: EditFrames.WithoutCheckpoints);
        var (author, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = author;
        var sent = await author.SendAndAckAsync("general", "original", "m1", ct);

        await author.SendTextAsync(frame.Replace("TOO_LONG", new string('x', 11), StringComparison.Ordinal).Replace("ID", sent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), ct);
        Assert.That(await author.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(reason, "r")));
        await author.SendJsonAsync(new { history = new { thread = "general" } }, ct);
        var page = (await author.ReceiveJsonAsync(ct)).GetProperty("history").EnumerateArray().Single();
        Assert.That((page.GetProperty("message").GetString(), page.TryGetProperty("editedTs", out var __)), Is.EqualTo(("original", false)));
    }

    [Test]
    public async Task EditsAndDeletesCountAgainstTheMessageRate(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(
            new Dictionary<string, string?> { ["Chatter:Limits:MessagesPerSecond"] = "1", ["Chatter:Limits:MessageBurst"] = "5" },
            configureServices: EditFrames.WithoutCheckpoints);
        var (author, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = author;
        var sent = await author.SendAndAckAsync("general", "m", "m1", ct);

        // Edits and deletes (of a message there is none of) in turn, back to back.
        const int Frames = 20;
        for (var i = 0; i < Frames; i++)
        {
            await (i % 2 == 0 ? author.SendEditAsync(sent.Id, $"edit {i}", $"r{i}", ct) : author.SendDeleteAsync(999_999, $"r{i}", ct));
        }

        var limited = new List<int>();
        for (var i = 0; i < Frames; i++)
        {
            var reply = await author.ReceiveJsonAsync(ct);
            Assert.That(reply.GetProperty("ref").GetString(), Is.EqualTo($"r{i}"), "answered in order");
            if (reply.TryGetProperty("error", out var error) && error.GetString() == "rate limited")
            {
                limited.Add(i);
            }
        }

        // A burst of five, the message took one: four pass at once, and one more for every second the loop took.
        Assert.That(limited, Has.Count.GreaterThanOrEqualTo(Frames - 10));
        Assert.That(limited.Where(i => i % 2 == 1), Is.Not.Empty, "deletes are limited too");
    }

    private static (string?, string?, string?, string?, string?) Properties(LogEvent e)
        => (LogCapture.Property(e, "Action"), LogCapture.Property(e, "Admin"), LogCapture.Property(e, "MessageId"), LogCapture.Property(e, "Author"), LogCapture.Property(e, "Reason"));
}
