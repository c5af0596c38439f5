using System.Buffers;
using System.Text;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Interop;

/// <summary>Raw <c>/ws/chat</c> clients and SignalR clients share one broadcast: every message reaches every other connection, never its sender.</summary>
[CancelAfter(60_000)]
public class MixedClientsTests
{
    private const int MessagesEach = 5;

    [Test]
    public async Task ThreeRawAndTwoSignalRClientsReceiveEveryOtherClientsMessagesButNotTheirOwn(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw1 = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var raw2 = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var raw3 = await server.LoginRawAsync("test3", cancellationToken: ct);
        await using var hub1 = await server.ConnectHubAsync("alice", cancellationToken: ct);
        await using var hub2 = await server.ConnectHubAsync("bob", cancellationToken: ct);
        Participant[] everyone = [Raw("test1", raw1), Raw("test2", raw2), Raw("test3", raw3), Hub("alice", hub1), Hub("bob", hub2)];

        // Everyone sends at once, each its own messages in order.
        await Task.WhenAll(everyone.Select(p => Task.Run(
            async () =>
            {
                for (var i = 0; i < MessagesEach; i++)
                {
                    await p.SendAsync("room", $"{p.User}-{i}", ct);
                }
            },
            ct)));

        foreach (var receiver in everyone)
        {
            var received = new List<Received>();
            for (var i = 0; i < MessagesEach * (everyone.Length - 1); i++)
            {
                received.Add(await receiver.ReceiveAsync(ct));
            }

            var expected = everyone.Where(p => p != receiver).SelectMany(p => Enumerable.Range(0, MessagesEach).Select(i => $"{p.User}-{i}"));
            Assert.Multiple(() =>
            {
                Assert.That(received.Select(m => m.Message), Is.EquivalentTo(expected), $"{receiver.User} received every other message once");
                Assert.That(received.Select(m => m.From), Has.None.EqualTo(receiver.User), $"{receiver.User} got no echo");
                Assert.That(received.Select(m => m.Id), Is.Unique);
                foreach (var sender in received.GroupBy(m => m.From))
                {
                    Assert.That(sender.Select(m => m.Message), Is.EqualTo(Enumerable.Range(0, MessagesEach).Select(i => $"{sender.Key}-{i}")), $"{sender.Key}'s order at {receiver.User}");
                    Assert.That(sender.Select(m => m.Id), Is.Ordered.Ascending);
                }
            });
        }

        // A later message from someone else is the next thing each receives: nothing late, no echo still on its way.
        await everyone[0].SendAsync("room", "fence-1", ct);
        foreach (var receiver in everyone[1..])
        {
            Assert.That((await receiver.ReceiveAsync(ct)).Message, Is.EqualTo("fence-1"), receiver.User);
        }

        await everyone[^1].SendAsync("room", "fence-2", ct);
        foreach (var receiver in everyone[..^1])
        {
            Assert.That((await receiver.ReceiveAsync(ct)).Message, Is.EqualTo("fence-2"), receiver.User);
        }
    }

    [Test]
    public async Task SignalRMessageReachesARawClientAsTheOriginalsFrame(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        var stored = await hub.SendAsync("test1", "Hello World! é ✓", ct);

        var frame = await raw.ReceiveTextAsync(ct);
        Assert.That(frame, Is.EqualTo(RawFrameOf(stored)));
        Assert.That(frame, Does.StartWith("{\"thread\":\"test1\",\"message\":\"Hello World! é ✓\",\"from\":\"alice\",\"sender\":\"alice\",\"id\":"));
    }

    [Test]
    public async Task RawMessageReachesASignalRClientFromItsAuthenticatedUser(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        // The client's own from and sender are ignored: from is always the logged-in user.
        await raw.SendJsonAsync(new { thread = "t", message = "hi alice", from = "bob", sender = "bob", extra = 1, @ref = "r1" }, ct);
        var ack = await raw.ReceiveJsonAsync(ct);
        var received = await hub.ReceiveAsync(cancellationToken: ct);

        Assert.Multiple(() =>
        {
            Assert.That(received.From, Is.EqualTo("test1"));
            Assert.That(received.Thread, Is.EqualTo("t"));
            Assert.That(received.Message, Is.EqualTo("hi alice"));
            Assert.That(received.Id, Is.EqualTo(ack.GetProperty("id").GetInt64()));
        });
    }

    /// <summary>The bytes a raw client must receive for <paramref name="message"/>.</summary>
    internal static string RawFrameOf(ChatMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMessage(message, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Participant Raw(string user, RawChatClient client) => new(
        user,
        (thread, text, ct) => client.SendChatAsync(thread, text, cancellationToken: ct),
        async ct =>
        {
            var json = await client.ReceiveJsonAsync(ct);
            var from = json.GetProperty("from").GetString()!;
            Assert.That(json.GetProperty("sender").GetString(), Is.EqualTo(from), "sender repeats from");
            return new Received(from, json.GetProperty("message").GetString()!, json.GetProperty("id").GetInt64());
        });

    private static Participant Hub(string user, HubChatClient client) => new(
        user,
        async (thread, text, ct) => Assert.That((await client.SendAsync(thread, text, ct)).From, Is.EqualTo(user)),
        async ct =>
        {
            var message = await client.ReceiveAsync(cancellationToken: ct);
            return new Received(message.From, message.Message, message.Id);
        });

    private sealed record Received(string From, string Message, long Id);

    private sealed record Participant(
        string User,
        Func<string, string, CancellationToken, Task> Send,
        Func<CancellationToken, Task<Received>> Receive)
    {
        public Task SendAsync(string thread, string text, CancellationToken ct) => Send(thread, text, ct);

        public Task<Received> ReceiveAsync(CancellationToken ct) => Receive(ct);
    }
}
