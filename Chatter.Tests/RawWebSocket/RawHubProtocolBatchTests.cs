using System.Buffers;
using System.Text;
using Chatter.Protocol;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// How the chatter-raw protocol turns frames that wait together into one <c>SendFrames</c> call, and writes that call's
/// answer back as one frame per frame sent. No socket: the protocol on bytes.
/// </summary>
public class RawHubProtocolBatchTests
{
    private static readonly RawHubProtocol Protocol = new();

    [Test]
    public void ALoneFrameIsOneSendMessageCallAsBefore()
    {
        var input = Inbound("""{"thread":"t","message":"hi","ref":"a"}""");

        var message = ParseOne(ref input);

        Assert.That(message, Is.TypeOf<InvocationMessage>().With.Property(nameof(InvocationMessage.Target)).EqualTo(nameof(ChatHub.SendMessage)));
        Assert.That(((InvocationMessage)message).InvocationId, Is.EqualTo("#a"));
        Assert.That(input.IsEmpty);
    }

    [Test]
    public void WaitingFramesBecomeOneBatchInTheOrderSentRefusalsIncluded()
    {
        var input = Inbound(
            """{"thread":"t","message":"one","ref":"a"}""",
            """{nope""",
            """{"thread":"t","message":"two"}""",
            """{"thread":"t","message":"three","ref":"7:x-"}""");

        var batch = (RawFrameBatch)((InvocationMessage)ParseOne(ref input)).Arguments[0]!;

        Assert.That(input.IsEmpty, "every waiting frame was taken");
        Assert.That(batch.Frames, Is.EqualTo(new[]
        {
            new BatchedFrame("t", "one", "a", null),
            new BatchedFrame(null, null, null, "invalid JSON"),
            new BatchedFrame("t", "two", null, null),
            new BatchedFrame("t", "three", "7:x-", null),
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

        var targets = new List<string>();
        while (!input.IsEmpty)
        {
            targets.Add(((InvocationMessage)ParseOne(ref input)).Target);
        }

        Assert.That(targets, Is.EqualTo(new[] { nameof(ChatHub.SendFrames), nameof(ChatHub.SubscribePresence), nameof(ChatHub.SendMessage) }));
    }

    [Test]
    public void ABatchTakesAtMostMaxFramesAndLeavesAnIncompleteFrameForLater()
    {
        var frames = Enumerable.Range(0, RawFrameBatch.MaxFrames + 3).Select(i => $$"""{"thread":"t","message":"m{{i}}"}""").ToArray();
        var whole = Inbound(frames);
        var input = whole.Slice(0, whole.Length - 2);

        var first = (RawFrameBatch)((InvocationMessage)ParseOne(ref input)).Arguments[0]!;
        var second = (RawFrameBatch)((InvocationMessage)ParseOne(ref input)).Arguments[0]!;

        Assert.Multiple(() =>
        {
            Assert.That(first.Frames, Has.Length.EqualTo(RawFrameBatch.MaxFrames));
            Assert.That(second.Frames.Select(f => f.Message), Is.EqualTo(new[] { $"m{RawFrameBatch.MaxFrames}", $"m{RawFrameBatch.MaxFrames + 1}" }));
            Assert.That(Protocol.TryParseMessage(ref input, null!, out _), Is.False, "the cut frame waits for its last bytes");
            Assert.That(input.Length, Is.EqualTo(RawHubProtocol.HeaderLength + frames[^1].Length - 2), "only the cut frame is left");
        });
    }

    private static readonly TestCaseData[] ReferenceSets =
    [
        new((object)new[] { "a", null, "", "-", "12:ab", "*", "héllo" }),
        new((object)new string?[] { null, null }),
    ];

    [TestCaseSource(nameof(ReferenceSets))]
    public void ABatchsInvocationIdCarriesEveryRef(string?[] references)
    {
        var frames = references.Select(r => new BatchedFrame("t", "m", r, null)).ToArray();

        var id = RawFrameBatch.InvocationId(frames);

        Assert.That(RawFrameBatch.IsBatchId(id));
        Assert.That(RawFrameBatch.ReferencesOf(id), Is.EqualTo(references));
    }

    [Test]
    public void ABatchsAnswerIsOneFramePerFrameSentInOrder()
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var id = RawFrameBatch.InvocationId([new("t", "m", "a", null), new("t", "m", null, null), new(null, null, "b", "invalid JSON"), new(null, null, null, "rate limited"), new("t", "m", "c", null)]);
        RawFrameOutcome[] outcomes =
        [
            new(new ChatMessage("t", "m", "u", 41, at), null),
            new(new ChatMessage("t", "m", "u", 42, at), null),
            new(null, "invalid JSON"),
            new(null, "rate limited"),
            new(new ChatMessage("t", "m", "u", 43, at), null),
        ];

        var written = Write(CompletionMessage.WithResult(id, outcomes));

        Assert.That(written, Is.EqualTo(
            """{"ack":"a","id":41,"ts":"2026-11-24T12:00:00.000Z"}""" + "\u001e" +
            """{"error":"invalid JSON","ref":"b"}""" + "\u001e" +
            """{"error":"rate limited"}""" + "\u001e" +
            """{"ack":"c","id":43,"ts":"2026-11-24T12:00:00.000Z"}""" + "\u001e"));
    }

    [Test]
    public void WhenTheWholeCallFailsEveryFrameGetsTheError()
    {
        var id = RawFrameBatch.InvocationId([new("t", "m", "a", null), new("t", "m", null, null)]);

        var written = Write(CompletionMessage.WithError(id, "An unexpected error occurred invoking 'SendFrames' on the server."));

        Assert.That(written, Is.EqualTo("""{"error":"server error","ref":"a"}""" + "\u001e" + """{"error":"server error"}""" + "\u001e"));
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
            RawHubProtocol.WriteInboundFrame(RawHubProtocol.TextFrame, Encoding.UTF8.GetBytes(frame), buffer);
        }

        return new ReadOnlySequence<byte>(buffer.WrittenMemory);
    }

    private static string Write(HubMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Protocol.WriteMessage(message, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
