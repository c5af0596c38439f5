using System.Text.Json;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// A stored message goes to every other connection, never back to its sender; <c>from</c> is the authenticated
/// user whatever the frame says, and unknown fields are not relayed.
/// </summary>
[CancelAfter(60_000)]
public class BroadcastTests
{
    [Test]
    public async Task MessageReachesEveryOtherConnectionButNotItsSender(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var c = await server.LoginRawAsync("test3", cancellationToken: ct);
        await using var d = await server.LoginRawAsync("alice", cancellationToken: ct);

        var ack = await sender.SendAndAckAsync("test1", "Hello World!", "r1", ct);

        var expected = new RawChatMessage("test1", "Hello World!", "test1", "test1", ack.Id, ack.Ts);
        foreach (var receiver in new[] { b, c, d })
        {
            Assert.That(await receiver.ReceiveMessageAsync(ct), Is.EqualTo(expected));
        }

        // A later message from someone else is the sender's next frame: its own message never came back.
        var later = await b.SendAndAckAsync("test1", "reply", "r2", ct);
        var next = await sender.ReceiveMessageAsync(ct);
        Assert.That((next.Id, next.From), Is.EqualTo((later.Id, "test2")));
        Assert.That(sender.HasNoPendingFrame, Is.True);
    }

    [Test]
    public async Task MessageWithoutRefIsNotEchoedToItsSender(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendChatAsync("t", "no ref", cancellationToken: ct);
        Assert.That((await other.ReceiveMessageAsync(ct)).Message, Is.EqualTo("no ref"));
        await other.SendChatAsync("t", "answer", cancellationToken: ct);

        var next = await sender.ReceiveMessageAsync(ct);
        Assert.That((next.Message, next.From), Is.EqualTo(("answer", "test2")));
        Assert.That(sender.HasNoPendingFrame, Is.True);
    }

    [Test]
    public async Task AnotherConnectionOfTheSameUserReceivesTheMessage(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var first = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var second = await server.LoginRawAsync("test1", cancellationToken: ct);

        var ack = await first.SendAndAckAsync("t", "to my other tab", "r1", ct);

        Assert.That(await second.ReceiveMessageAsync(ct), Is.EqualTo(new RawChatMessage("t", "to my other tab", "test1", "test1", ack.Id, ack.Ts)));
        await first.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task MessagesOfEveryThreadReachEveryone(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendAndAckAsync("test1", "one", "r1", ct);
        await sender.SendAndAckAsync("test2", "two", "r2", ct);
        await sender.SendAndAckAsync("somewhere else", "three", "r3", ct);

        var received = new[] { await receiver.ReceiveMessageAsync(ct), await receiver.ReceiveMessageAsync(ct), await receiver.ReceiveMessageAsync(ct) };
        Assert.That(received.Select(m => (m.Thread, m.Message)), Is.EqualTo(new[] { ("test1", "one"), ("test2", "two"), ("somewhere else", "three") }));
    }

    [Test]
    public async Task FromIsTheAuthenticatedUserWhateverTheFrameSays(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync("{\"thread\":\"t\",\"message\":\"it was me\",\"from\":\"mallory\",\"sender\":\"mallory\",\"ref\":\"r1\"}", ct);
        var ack = await sender.ReceiveAckAsync(ct);

        var live = await receiver.ReceiveMessageAsync(ct);
        Assert.That((live.From, live.Sender, live.Id), Is.EqualTo(("test1", "test1", ack.Id)));

        await using var late = await server.LoginRawAsync("test3", cancellationToken: ct);
        var replayed = await late.ReceiveMessageAsync(ct);
        Assert.That((replayed.From, replayed.Sender), Is.EqualTo(("test1", "test1")), "the stored message is the authenticated user's too");
    }

    [Test]
    public async Task OriginalClientsFromFieldOfItsOwnNameIsAccepted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync("{\"thread\":\"test1\",\"message\":\"Hello World!\",\"from\":\"test1\"}", ct);

        Assert.That(await receiver.ReceiveMessageAsync(ct), Has.Property(nameof(RawChatMessage.From)).EqualTo("test1").And.Property(nameof(RawChatMessage.Message)).EqualTo("Hello World!"));
    }

    [Test]
    public async Task UnknownExtraFieldsAreNotRelayed(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync("{\"thread\":\"t\",\"message\":\"m\",\"id\":999999,\"ts\":\"1999-01-01T00:00:00.000Z\",\"color\":\"red\",\"meta\":{\"x\":[1,2]},\"admin\":true}", ct);

        var text = await receiver.ReceiveTextAsync(ct);
        using var json = JsonDocument.Parse(text);
        Assert.That(json.RootElement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(RawChatMessage.PropertyNames), text);
        var message = RawChatMessage.Parse(text);
        Assert.That(message.Id, Is.Not.EqualTo(999999), "id is the server's");
        Assert.That(message.Ts, Is.Not.EqualTo("1999-01-01T00:00:00.000Z"), "ts is the server's");
    }

    [Test]
    public async Task TextArrivesUnchangedWhateverItsCharacters(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        const string thread = "th\u00e9 \U0001F600 \"q\"";
        const string text = "quote \" backslash \\ newline \n record separator \u001e \u4e2d\u6587 \U0001F600 </script>";

        await sender.SendAndAckAsync(thread, text, "r1", ct);

        var received = await receiver.ReceiveMessageAsync(ct);
        Assert.That((received.Thread, received.Message), Is.EqualTo((thread, text)));
    }
}
