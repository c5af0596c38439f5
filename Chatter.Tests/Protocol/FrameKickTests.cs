using System.Buffers;
using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;

namespace Chatter.Tests.Protocol;

/// <summary>The kick frame <c>{"kick": "bob", "ref": "k1"}</c> as read, and its answers as written.</summary>
public class FrameKickTests
{
    private static ChatFrameResult Read(string text) => FrameReader.ReadChat(Encoding.UTF8.GetBytes(text));

    [Test]
    public void AKickFrameIsAKickRequestWithItsRef()
    {
        var result = Read("{\"kick\": \"bob\", \"ref\": \"k1\"}");
        Assert.That((result.Kick, result.Ref, result.Frame, result.Error), Is.EqualTo(("bob", "k1", (ChatFrame?)null, (string?)null)));
    }

    [TestCase("7")]
    [TestCase("null")]
    [TestCase("{\"user\":\"bob\"}")]
    public void AKickThatIsNotAStringIsRefusedWithItsRef(string value)
    {
        var result = Read($"{{\"kick\": {value}, \"ref\": \"k1\"}}");
        Assert.That((result.Kick, result.Error, result.Ref), Is.EqualTo(((string?)null, FrameError.KickNotString, "k1")));
    }

    [Test]
    public void AChatFramesUnknownKickFieldIsIgnored()
    {
        var result = Read("{\"thread\": \"t\", \"message\": \"m\", \"kick\": \"bob\"}");
        Assert.That((result.Frame, result.Kick), Is.EqualTo((new ChatFrame("t", "m", null), (string?)null)));
    }

    [Test]
    public void KickedIsInTheLoginRefusalsStyle()
        => Assert.That(FrameWriter.Refusal(FrameError.Kicked).ToArray(), Is.EqualTo("{\"error\": \"kicked\"}"u8.ToArray()));

    [Test]
    public void TheKickIsAnsweredWithItsRefTheUserAndTheEnd()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteKicked("k1", "bob", new DateTimeOffset(2026, 12, 2, 15, 0, 0, 123, TimeSpan.Zero), output);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("{\"ref\":\"k1\",\"kicked\":\"bob\",\"until\":\"2026-12-02T15:00:00.123Z\"}"));
    }
}
