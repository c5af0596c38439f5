using System.Buffers;
using System.Text;
using Chatter.Protocol;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// How the chatter-raw protocol turns frames that wait together into one <c>SendMessages</c> call (the batching step),
/// and writes the hub's answers back as one frame per frame sent, each with its ref. No socket: the protocol on bytes.
/// </summary>
public class RawHubProtocolTests
{
    private static readonly RawHubProtocol Protocol = new();

    [Test]
    public void ALoneFrameIsOneSendMessagesCallWithItsRefAsAValue()
    {
        var input = Inbound("""{"thread":"t","message":"hi","ref":"a"}""");

        var message = (InvocationMessage)ParseOne(ref input);

        Assert.That(message.Target, Is.EqualTo(nameof(ChatHub.SendMessages)));
        Assert.That(message.Arguments[0], Is.EqualTo(new[] { new ChatSend("t", "hi", "a") }));
        Assert.That(message.InvocationId, Does.Not.Contain("a"), "the ref travels as a value, not in the invocation id");
        Assert.That(input.IsEmpty);
    }

    [Test]
    public void WaitingFramesBecomeOneCallInTheOrderSentRefusalsIncluded()
    {
        var input = Inbound(
            """{"thread":"t","message":"one","ref":"a"}""",
            """{nope""",
            """{"thread":"t","message":"two"}""",
            """{"thread":"t","message":"three","ref":"7:x-"}""");

        var sends = (ChatSend[])((InvocationMessage)ParseOne(ref input)).Arguments[0]!;

        Assert.That(input.IsEmpty, "every waiting frame was taken");
        Assert.That(sends, Is.EqualTo(new[]
        {
            new ChatSend("t", "one", "a"),
            new ChatSend(null, null, null, "invalid JSON"),
            new ChatSend("t", "two"),
            new ChatSend("t", "three", "7:x-"),
        }));
    }

    [Test]
    public void APresenceRequestIsNeverBatchedAndKeepsItsPlace()
    {
        var input = Inbound(
            """{"thread":"t","message":"one"}""",
            """{"thread":"t","message":"two"}""",
            """{"presence":true}""",
            """{"thread":"t","message":"three"}""");

        var calls = new List<(string Target, int Sends)>();
        while (!input.IsEmpty)
        {
            var call = (InvocationMessage)ParseOne(ref input);
            calls.Add((call.Target, call.Arguments is [ChatSend[] sends] ? sends.Length : 0));
        }

        Assert.That(calls, Is.EqualTo(new[] { (nameof(ChatHub.SendMessages), 2), (nameof(ChatHub.SubscribePresence), 0), (nameof(ChatHub.SendMessages), 1) }));
    }

    [Test]
    public void ABatchTakesAtMostMaxFramesAndLeavesAnIncompleteFrameForLater()
    {
        var frames = Enumerable.Range(0, RawFrameBatcher.MaxFrames + 3).Select(i => $$"""{"thread":"t","message":"m{{i}}"}""").ToArray();
        var whole = Inbound(frames);
        var input = whole.Slice(0, whole.Length - 2);

        var first = (ChatSend[])((InvocationMessage)ParseOne(ref input)).Arguments[0]!;
        var second = (ChatSend[])((InvocationMessage)ParseOne(ref input)).Arguments[0]!;

        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Length.EqualTo(RawFrameBatcher.MaxFrames));
            Assert.That(second.Select(f => f.Message), Is.EqualTo(new[] { $"m{RawFrameBatcher.MaxFrames}", $"m{RawFrameBatcher.MaxFrames + 1}" }));
            Assert.That(Protocol.TryParseMessage(ref input, null!, out _), Is.False, "the cut frame waits for its last bytes");
            Assert.That(input.Length, Is.EqualTo(RawFrameBatcher.HeaderLength + frames[^1].Length - 2), "only the cut frame is left");
        });
    }

    [Test]
    public void TheAnswersAreOneFramePerSendInOrderEachWithItsRef()
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        SendResult[] results =
        [
            new("a", new ChatMessage("t", "m", "u", 41, at), null),
            new(null, new ChatMessage("t", "m", "u", 42, at), null),
            new("b", null, "invalid JSON"),
            new(null, null, "rate limited"),
            new("c", new ChatMessage("t", "m", "u", 43, at), null),
        ];

        var written = Write(CompletionMessage.WithResult("s", results));

        Assert.That(written, Is.EqualTo(new[]
        {
            (0L, """{"ack":"a","id":41,"ts":"2026-11-24T12:00:00.000Z"}"""),
            (0L, """{"error":"invalid JSON","ref":"b"}"""),
            (0L, """{"error":"rate limited"}"""),
            (0L, """{"ack":"c","id":43,"ts":"2026-11-24T12:00:00.000Z"}"""),
        }));
    }

    [Test]
    public void ACallThatFailedIsAnsweredWithOneServerError()
    {
        var written = Write(CompletionMessage.WithError("s", "An unexpected error occurred invoking 'SendMessages' on the server."));

        Assert.That(written, Is.EqualTo(new[] { (0L, """{"error":"server error"}""") }));
    }

    [Test]
    public void ARefusedPresenceRequestIsAnsweredWithItsRef()
    {
        var input = Inbound("""{"presence":true,"ref":"p1"}""");
        var call = (InvocationMessage)ParseOne(ref input);

        var written = Write(CompletionMessage.WithResult(call.InvocationId!, new HubRefusal("rate limited")));

        Assert.That(written, Is.EqualTo(new[] { (0L, """{"error":"rate limited","ref":"p1"}""") }));
    }

    [Test]
    public void AChatMessageFrameIsTaggedWithItsIdSoTheReplayGateNeedsNoJson()
    {
        var message = new ChatMessage("t", "m", "u", 77, new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

        var written = Write(new InvocationMessage(nameof(IChatClient.ReceiveMessage), [message]));

        Assert.That(written, Is.EqualTo(new[] { (77L, """{"thread":"t","message":"m","from":"u","sender":"u","id":77,"ts":"2026-11-24T12:00:00.000Z"}""") }));
        Assert.That(RawOutboundFrames.TagOf(Protocol.GetMessageBytes(new InvocationMessage(nameof(IChatClient.ReceiveMessage), [message])).Span), Is.EqualTo(77));
    }

    [Test]
    public void TheHubsReportOfItsOwnFailureIsTheServerErrorRecord()
    {
        var written = Write(new CloseMessage("boom"));

        Assert.That(written, Is.EqualTo(new[] { (RawOutboundFrames.ServerError, "") }));
    }

    private static HubMessage ParseOne(ref ReadOnlySequence<byte> input)
    {
        Assert.That(Protocol.TryParseMessage(ref input, null!, out var message), Is.True);
        return message!;
    }

    private static ReadOnlySequence<byte> Inbound(params string[] frames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in frames)
        {
            RawFrameBatcher.WriteInboundFrame(RawFrameBatcher.TextFrame, Encoding.UTF8.GetBytes(frame), buffer);
        }

        return new ReadOnlySequence<byte>(buffer.WrittenMemory);
    }

    /// <summary>The records the protocol wrote: each frame's tag and text.</summary>
    private static List<(long Tag, string Text)> Write(HubMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Protocol.WriteMessage(message, buffer);
        var records = buffer.WrittenMemory;
        var frames = new List<(long, string)>();
        while (RawOutboundFrames.TryRead(ref records, out var tag, out var payload))
        {
            frames.Add((tag, Encoding.UTF8.GetString(payload.Span)));
        }

        return frames;
    }
}
