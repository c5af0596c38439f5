using System.Net.WebSockets;
using System.Text;
using Chatter.Protocol.Frames;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// Each kind of unusable frame → <c>{"error":"&lt;reason&gt;"}</c> to its sender; the connection stays open and nothing is
/// stored or broadcast. Lengths count UTF-16 code units. The servers here allow messages of 10 characters.
/// </summary>
[CancelAfter(60_000)]
public class InvalidFrameTests
{
    private const int MaxMessageChars = 10;

    /// <summary>U+1F600, two UTF-16 code units.</summary>
    private const string Emoji = "\U0001F600";

    private static readonly Dictionary<string, string?> Settings = new() { ["Chatter:MaxMessageChars"] = "10" };

    public static IEnumerable<TestCaseData> InvalidFrames()
    {
        yield return Case("hello there", FrameError.InvalidJson, "FrameThatIsNotJsonIsRefused");
        yield return Case("{\"thread\":\"t\",\"message\":", FrameError.InvalidJson, "TruncatedJsonIsRefused");
        yield return Case("[\"t\",\"m\"]", FrameError.NotAnObject, "JsonArrayIsRefused");
        yield return Case("\"t: m\"", FrameError.NotAnObject, "JsonStringIsRefused");
        yield return Case("42", FrameError.NotAnObject, "JsonNumberIsRefused");
        yield return Case("{\"message\":\"m\"}", FrameError.ThreadRequired, "FrameWithoutThreadIsRefused");
        yield return Case("{\"thread\":null,\"message\":\"m\"}", FrameError.ThreadRequired, "FrameWithNullThreadIsRefused");
        yield return Case("{\"thread\":7,\"message\":\"m\"}", FrameError.ThreadNotString, "FrameWithNumericThreadIsRefused");
        yield return Case("{\"thread\":{\"name\":\"t\"},\"message\":\"m\"}", FrameError.ThreadNotString, "FrameWithObjectThreadIsRefused");
        yield return Case("{\"thread\":\"\",\"message\":\"m\"}", "thread must not be empty", "FrameWithEmptyThreadIsRefused");
        yield return Case(Chat(new string('t', 65), "m"), "thread is longer than 64 characters", "FrameWithThreadOf65CharactersIsRefused");
        yield return Case(Chat(Repeat(Emoji, 33), "m"), "thread is longer than 64 characters", "FrameWithThreadOf33EmojiIsRefused");
        yield return Case("{\"thread\":\"t\"}", FrameError.MessageRequired, "FrameWithoutMessageIsRefused");
        yield return Case("{\"thread\":\"t\",\"message\":[\"m\"]}", FrameError.MessageNotString, "FrameWithArrayMessageIsRefused");
        yield return Case("{\"thread\":\"t\",\"message\":12}", FrameError.MessageNotString, "FrameWithNumericMessageIsRefused");
        yield return Case("{\"thread\":\"t\",\"message\":\"\"}", "message must not be empty", "FrameWithEmptyMessageIsRefused");
        yield return Case(Chat("t", new string('m', MaxMessageChars + 1)), "message is longer than 10 characters", "FrameWithMessageOverMaxMessageCharsIsRefused");
        yield return Case(Chat("t", Repeat(Emoji, 6)), "message is longer than 10 characters", "FrameWithMessageOf6EmojiOverTenCharactersIsRefused");
    }

    [TestCaseSource(nameof(InvalidFrames))]
    public async Task InvalidFrameIsAnsweredWithItsReasonAndNothingIsStored(string frame, string reason, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync(frame, ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(reason, null)));
        await AssertStillWorksAndNothingWasStoredAsync(server, sender, other, ct);
    }

    [Test]
    public async Task BinaryFrameAfterLoginIsRefused(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendAsync(Encoding.UTF8.GetBytes(Chat("t", "binary")), WebSocketMessageType.Binary, ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.BinaryFrame, null)));
        await AssertStillWorksAndNothingWasStoredAsync(server, sender, other, ct);
    }

    [Test]
    public async Task SeveralInvalidFramesInARowEachGetTheirErrorInOrder(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync("nope", ct);
        await sender.SendTextAsync("{\"message\":\"m\",\"ref\":\"e2\"}", ct);
        await sender.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, ct);
        await sender.SendTextAsync(Chat("t", new string('m', 11)), ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.InvalidJson, null)));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.ThreadRequired, "e2")));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.BinaryFrame, null)));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("message is longer than 10 characters", null)));
        await AssertStillWorksAndNothingWasStoredAsync(server, sender, other, ct);
    }

    [Test]
    public Task ThreadOf64CharactersIsAccepted(CancellationToken ct)
        => AssertAcceptedAsync(new string('t', 64), "m", ct);

    [Test]
    public Task ThreadOf32EmojiIsAcceptedAs64Characters(CancellationToken ct)
        => AssertAcceptedAsync(Repeat(Emoji, 32), "m", ct);

    [Test]
    public Task MessageOfExactlyMaxMessageCharsIsAccepted(CancellationToken ct)
        => AssertAcceptedAsync("t", new string('m', MaxMessageChars), ct);

    [Test]
    public Task MessageOf5EmojiIsAcceptedAsTenCharacters(CancellationToken ct)
        => AssertAcceptedAsync("t", Repeat(Emoji, 5), ct);

    [Test]
    public Task SingleCharacterThreadAndMessageAreAccepted(CancellationToken ct)
        => AssertAcceptedAsync("t", "m", ct);

    private static async Task AssertAcceptedAsync(string thread, string message, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);

        var ack = await sender.SendAndAckAsync(thread, message, "r1", ct);

        Assert.That(await other.ReceiveMessageAsync(ct), Is.EqualTo(new RawChatMessage(thread, message, "test1", "test1", ack.Id, ack.Ts)));
    }

    /// <summary>
    /// After the refused frames: a valid message is acked; the other client's next frame is that message (so nothing
    /// was broadcast before it); a late joiner's replay is that message alone (so nothing was stored before it).
    /// </summary>
    private static async Task AssertStillWorksAndNothingWasStoredAsync(ChatterServer server, RawChatClient sender, RawChatClient other, CancellationToken ct)
    {
        var ack = await sender.SendAndAckAsync("t", "valid", "ok", ct);

        var live = await other.ReceiveMessageAsync(ct);
        Assert.That((live.Id, live.Message), Is.EqualTo((ack.Id, "valid")), "the other client's first frame is the valid message");

        await using var late = await server.LoginRawAsync("test3", cancellationToken: ct);
        var replayed = await late.ReceiveMessageAsync(ct);
        Assert.That((replayed.Id, replayed.Message), Is.EqualTo((ack.Id, "valid")), "the history holds the valid message only");
        await late.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    private static TestCaseData Case(string frame, string reason, string name) => new TestCaseData(frame, reason).SetName(name);

    private static string Chat(string thread, string message)
        => System.Text.Json.JsonSerializer.Serialize(new { thread, message });

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));
}
