using System.Globalization;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Hubs;

/// <summary><c>SendMessage(thread, message)</c>: validate, store, broadcast to the others; the stored message is the ack.</summary>
[CancelAfter(60_000)]
public class SendMessageTests
{
    private const int SmallMaxMessageChars = 10;

    [Test]
    public async Task SendMessageReturnsTheStoredMessageFromTheTokensUser(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var first = await client.SendAsync("general", "Hello World!", ct);
        var second = await client.SendAsync("other", "again", ct);

        Assert.Multiple(() =>
        {
            Assert.That(first.Thread, Is.EqualTo("general"));
            Assert.That(first.Message, Is.EqualTo("Hello World!"));
            Assert.That(first.From, Is.EqualTo("test1"));
            Assert.That(first.Ts, Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(1)));
            Assert.That(first.Ts.Ticks % TimeSpan.TicksPerMillisecond, Is.Zero, "ts is to the millisecond");
            Assert.That(second.Id, Is.GreaterThan(first.Id), "ids increase across threads");
        });
    }

    [Test]
    public async Task SendMessageReturnValueIsCamelCaseJsonWithAMillisecondUtcTimestamp(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);

        // Read the return value untyped, as a JavaScript client would see it.
        var stored = await client.Connection.InvokeAsync<System.Text.Json.JsonElement>("SendMessage", "t", "hi", ct);

        var names = stored.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(names, Is.EquivalentTo(new[] { "thread", "message", "from", "id", "ts" }));
        Assert.That(stored.GetProperty("ts").GetString(), Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"));
    }

    [Test]
    public async Task StoredMessageReachesTheOtherConnectionsButNotItsSender(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await using var hubReceiver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        await using var rawReceiver = await server.LoginRawAsync("test3", cancellationToken: ct);

        var stored = await sender.SendAsync("t", "to everyone else", ct);

        Assert.That(await hubReceiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(stored));
        var raw = await rawReceiver.ReceiveJsonAsync(ct);
        Assert.Multiple(() =>
        {
            Assert.That(raw.GetProperty("id").GetInt64(), Is.EqualTo(stored.Id));
            Assert.That(raw.GetProperty("from").GetString(), Is.EqualTo("test1"));
            Assert.That(raw.GetProperty("sender").GetString(), Is.EqualTo("test1"));
        });

        // A message from another connection proves the sender's own would have arrived first.
        var fence = await hubReceiver.SendAsync("t", "fence", ct);
        Assert.That(await sender.ReceiveAsync(cancellationToken: ct), Is.EqualTo(fence), "the sender gets no echo");
    }

    public static IEnumerable<TestCaseData> InvalidMessages()
    {
        yield return new TestCaseData(null, "hi", "thread is required").SetArgDisplayNames("null thread");
        yield return new TestCaseData("", "hi", "thread must not be empty").SetArgDisplayNames("empty thread");
        yield return new TestCaseData(new string('t', 65), "hi", "thread is longer than 64 characters").SetArgDisplayNames("65-character thread");
        yield return new TestCaseData("t", null, "message is required").SetArgDisplayNames("null message");
        yield return new TestCaseData("t", "", "message must not be empty").SetArgDisplayNames("empty message");
        yield return new TestCaseData("t", new string('m', SmallMaxMessageChars + 1), $"message is longer than {SmallMaxMessageChars} characters")
            .SetArgDisplayNames("message over Chatter:MaxMessageChars");
        yield return new TestCaseData("t", "😀😀😀😀😀😀", $"message is longer than {SmallMaxMessageChars} characters")
            .SetArgDisplayNames("message over the limit in UTF-16 code units");
    }

    [TestCaseSource(nameof(InvalidMessages))]
    public async Task InvalidMessageIsRefusedWithItsReasonAndNeitherStoredNorBroadcast(string? thread, string? message, string reason, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:MaxMessageChars"] = SmallMaxMessageChars.ToString(CultureInfo.InvariantCulture),
        });
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await using var hubObserver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        await using var rawObserver = await server.LoginRawAsync("test3", cancellationToken: ct);
        var valid = await sender.SendAsync("t", "before", ct);
        await hubObserver.ReceiveAsync(cancellationToken: ct);
        await rawObserver.ReceiveJsonAsync(ct);

        await Assert.ThatAsync(
            async () => { await sender.Connection.InvokeAsync<ChatMessage>("SendMessage", thread, message, ct); },
            Throws.InstanceOf<HubException>().With.Message.Contain(reason));
        var after = await sender.SendAsync("t", "after", ct);
        await Assert.MultipleAsync(async () =>
        {
            // One sender's messages arrive in order: had the refused one been broadcast, it would come before "after".
            Assert.That(await hubObserver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(after));
            Assert.That((await rawObserver.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64(), Is.EqualTo(after.Id));
            var history = await sender.GetHistoryAsync(null, null, 500, ct);
            Assert.That(history, Is.EqualTo(new[] { valid, after }));
        });
        Assert.That(sender.Connection.State, Is.EqualTo(HubConnectionState.Connected), "a refused message keeps the connection");
    }

    [Test]
    public async Task LongestValidThreadAndMessageAreStored(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:MaxMessageChars"] = SmallMaxMessageChars.ToString(CultureInfo.InvariantCulture),
        });
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);

        var stored = await client.SendAsync(new string('t', 64), new string('m', SmallMaxMessageChars), ct);

        Assert.That(stored.Thread, Has.Length.EqualTo(64));
        Assert.That(stored.Message, Has.Length.EqualTo(SmallMaxMessageChars));
    }

    [Test]
    public async Task DefaultMaxMessageCharsIs4000(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);

        var stored = await client.SendAsync("t", new string('m', 4000), ct);

        Assert.That(stored.Message, Has.Length.EqualTo(4000));
        await Assert.ThatAsync(
            async () => { await client.SendAsync("t", new string('m', 4001), ct); },
            Throws.InstanceOf<HubException>().With.Message.Contain("message is longer than 4000 characters"));
    }

    [Test]
    public async Task RefusedMessageIsLoggedAsAnInvalidFrameWithItsReason(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectHubAsync("test1", cancellationToken: ct);

        await Assert.ThatAsync(async () => { await client.SendAsync("", "hi", ct); }, Throws.InstanceOf<HubException>());

        var refused = await server.Logs.WaitForEventAsync(203, cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(refused, "User"), Is.EqualTo("test1"));
            Assert.That(LogCapture.Property(refused, "Transport"), Is.EqualTo("signalr"));
            Assert.That(LogCapture.Property(refused, "Reason"), Is.EqualTo("thread must not be empty"));
            Assert.That(server.Logs.WithEventId(202), Is.Empty, "nothing stored");
        });
    }
}
