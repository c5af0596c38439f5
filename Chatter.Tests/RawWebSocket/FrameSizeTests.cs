using System.Net.WebSockets;
using System.Text;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// A message over <c>Chatter:MaxFrameBytes</c> (all fragments together) closes its connection with 1009; the server
/// goes on serving everyone else. The servers here allow 2048 bytes.
/// </summary>
[CancelAfter(60_000)]
public class FrameSizeTests
{
    private const int MaxFrameBytes = 2048;

    private static readonly Dictionary<string, string?> Settings = new() { ["Chatter:MaxFrameBytes"] = "2048" };

    [Test]
    public async Task FrameOverMaxFrameBytesClosesTheConnectionWith1009(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var big = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await big.SendTextAsync(ChatOfBytes(MaxFrameBytes + 1000), ct);

        await AssertClosedWithMessageTooBigAsync(big, ct);
        await AssertServerStillServesAsync(server, other, ct);
    }

    [Test]
    public async Task FrameOneByteOverMaxFrameBytesClosesTheConnectionWith1009(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var big = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await big.SendTextAsync(ChatOfBytes(MaxFrameBytes + 1), ct);

        await AssertClosedWithMessageTooBigAsync(big, ct);
        await AssertServerStillServesAsync(server, other, ct);
    }

    [Test]
    public async Task FrameOfExactlyMaxFrameBytesIsAccepted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);
        var frame = ChatOfBytes(MaxFrameBytes, reference: "r1");

        await sender.SendTextAsync(frame, ct);

        Assert.That((await sender.ReceiveAckAsync(ct)).Ref, Is.EqualTo("r1"));
        Assert.That((await other.ReceiveMessageAsync(ct)).Message, Has.Length.EqualTo(System.Text.Json.JsonDocument.Parse(frame).RootElement.GetProperty("message").GetString()!.Length));
    }

    [Test]
    public async Task FragmentedMessageOverMaxFrameBytesClosesTheConnectionWith1009(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var big = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);
        var bytes = Encoding.UTF8.GetBytes(ChatOfBytes(3000));

        // Three fragments of 1000 bytes, each under the limit, together over it; the message is never finished:
        // the limit counts what has arrived, not only whole messages.
        for (var offset = 0; offset < 3000; offset += 1000)
        {
            await big.Socket.SendAsync(bytes.AsMemory(offset, 1000), WebSocketMessageType.Text, endOfMessage: false, ct);
        }

        await AssertClosedWithMessageTooBigAsync(big, ct);
        await AssertServerStillServesAsync(server, other, ct);
    }

    [Test]
    public async Task FragmentedMessageWithinMaxFrameBytesIsJoinedAndAccepted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);
        var bytes = Encoding.UTF8.GetBytes(ChatOfBytes(MaxFrameBytes, reference: "r1"));

        for (var offset = 0; offset < bytes.Length; offset += 700)
        {
            var length = Math.Min(700, bytes.Length - offset);
            await sender.Socket.SendAsync(bytes.AsMemory(offset, length), WebSocketMessageType.Text, endOfMessage: offset + length == bytes.Length, ct);
        }

        Assert.That((await sender.ReceiveAckAsync(ct)).Ref, Is.EqualTo("r1"));
        Assert.That((await other.ReceiveMessageAsync(ct)).From, Is.EqualTo("test1"));
    }

    [Test]
    public async Task LoginFrameOverMaxFrameBytesClosesWith1009(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var client = await server.ConnectRawAsync(ct);

        await client.SendTextAsync($"{{\"username\":\"test1\",\"password\":\"pass1\",\"padding\":\"{new string('x', MaxFrameBytes)}\"}}", ct);

        await AssertClosedWithMessageTooBigAsync(client, ct);
        await AssertServerStillServesAsync(server, other, ct);
    }

    /// <summary>Nothing but a clean close frame with 1009 (no error frame first, no aborted socket).</summary>
    private static async Task AssertClosedWithMessageTooBigAsync(RawChatClient client, CancellationToken ct)
    {
        var frame = await client.ReceiveAsync(cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(frame.IsClose, Is.True, $"expected the close, got {frame.Text}");
            Assert.That(frame.CloseDescription, Is.Not.EqualTo("aborted"), "a close frame, not an aborted socket");
            Assert.That(frame.CloseStatus, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        });
    }

    /// <summary>
    /// A client logged in before goes on receiving, a new client logs in and chats, and the oversized message was
    /// neither broadcast (the old client's first frame is the new message) nor stored (the newcomer's replay is empty).
    /// </summary>
    private static async Task AssertServerStillServesAsync(ChatterServer server, RawChatClient other, CancellationToken ct)
    {
        await using var newcomer = await server.LoginRawAsync("test3", cancellationToken: ct);
        await newcomer.AssertNothingBeforeOwnAckAsync("t", ct);

        var live = await other.ReceiveMessageAsync(ct);
        Assert.That((live.From, live.Message), Is.EqualTo(("test3", "probe")));

        var reply = await other.SendAndAckAsync("t", "reply", "r2", ct);
        Assert.That((await newcomer.ReceiveMessageAsync(ct)).Id, Is.EqualTo(reply.Id));
    }

    /// <summary>A chat frame of exactly <paramref name="bytes"/> UTF-8 bytes (ASCII, so bytes = characters).</summary>
    private static string ChatOfBytes(int bytes, string? reference = null)
    {
        var head = reference is null ? "{\"thread\":\"t\",\"message\":\"" : $"{{\"thread\":\"t\",\"ref\":\"{reference}\",\"message\":\"";
        const string tail = "\"}";
        var frame = head + new string('x', bytes - head.Length - tail.Length) + tail;
        Assert.That(Encoding.UTF8.GetByteCount(frame), Is.EqualTo(bytes));
        return frame;
    }
}
