using System.Buffers;
using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Tests.Protocol;

/// <summary>The edit and delete frames as read, their answers and notices as written, and <c>editedTs</c> only when set.</summary>
public class FrameEditTests
{
    private static readonly DateTimeOffset Ts = new(2026, 12, 2, 15, 0, 0, 123, TimeSpan.Zero);

    private static ChatFrameResult Read(string text) => FrameReader.ReadChat(Encoding.UTF8.GetBytes(text));

    private static string Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Test]
    public void AnEditFrameIsAnEditRequestWithItsIdTextAndRef()
    {
        var result = Read("{\"edit\": 17, \"message\": \"new text\", \"ref\": \"e1\"}");
        Assert.That((result.Edit, result.Ref, result.Frame, result.Error), Is.EqualTo((new MessageEdit(17, "new text"), "e1", (ChatFrame?)null, (string?)null)));
    }

    [Test]
    public void ADeleteFrameIsADeleteRequestWithItsIdAndRef()
    {
        var result = Read("{\"delete\": 17, \"ref\": \"d1\"}");
        Assert.That((result.Delete, result.Ref, result.Frame, result.Error), Is.EqualTo(((long?)17, "d1", (ChatFrame?)null, (string?)null)));
    }

    [Test]
    public void AChatFramesUnknownEditOrDeleteFieldIsIgnored()
    {
        Assert.That(Read("{\"thread\": \"t\", \"message\": \"m\", \"edit\": 3}").Frame, Is.EqualTo(new ChatFrame("t", "m", null)));
        Assert.That(Read("{\"thread\": \"t\", \"message\": \"m\", \"delete\": 3}").Frame, Is.EqualTo(new ChatFrame("t", "m", null)));
    }

    [Test]
    public void AMessageNeverEditedIsWrittenWithoutEditedTsAndAnEditedOneWithIt()
    {
        var message = new ChatMessage("t", "m", "alice", 17, Ts);
        Assert.That(Written(o => FrameWriter.WriteMessage(message, o)), Is.EqualTo("{\"thread\":\"t\",\"message\":\"m\",\"from\":\"alice\",\"sender\":\"alice\",\"id\":17,\"ts\":\"2026-12-02T15:00:00.123Z\"}"));
        Assert.That(Written(o => FrameWriter.WriteMessage(message with { EditedTs = Ts.AddSeconds(1) }, o)), Does.EndWith(",\"ts\":\"2026-12-02T15:00:00.123Z\",\"editedTs\":\"2026-12-02T15:00:01.123Z\"}"));
    }

    [Test]
    public void TheEditAnswerAndNoticeAreTheMessageUnderEditedWithTheRefOnlyInTheAnswer()
    {
        var edited = new ChatMessage("t", "new", "alice", 17, Ts, Ts);
        const string Message = "{\"thread\":\"t\",\"message\":\"new\",\"from\":\"alice\",\"sender\":\"alice\",\"id\":17,\"ts\":\"2026-12-02T15:00:00.123Z\",\"editedTs\":\"2026-12-02T15:00:00.123Z\"}";
        Assert.That(Written(o => FrameWriter.WriteEdited("e1", edited, o)), Is.EqualTo("{\"ref\":\"e1\",\"edited\":" + Message + "}"));
        Assert.That(Written(o => FrameWriter.WriteEdited(null, edited, o)), Is.EqualTo("{\"edited\":" + Message + "}"));
    }

    [Test]
    public void TheDeleteAnswerAndNoticeNameTheIdAndThreadWithTheRefOnlyInTheAnswer()
    {
        Assert.That(Written(o => FrameWriter.WriteDeleted("d1", new DeletedMessage(17, "general"), o)), Is.EqualTo("{\"ref\":\"d1\",\"deleted\":17,\"thread\":\"general\"}"));
        Assert.That(Written(o => FrameWriter.WriteDeleted(null, new DeletedMessage(17, "general"), o)), Is.EqualTo("{\"deleted\":17,\"thread\":\"general\"}"));
    }

    [Test]
    public void SignalRsJsonOfAMessageHasEditedTsOnlyOnceEdited()
    {
        var protocol = new JsonHubProtocol();
        string Json(ChatMessage message) => Encoding.UTF8.GetString(protocol.GetMessageBytes(new InvocationMessage("ReceiveMessage", [message])).Span);

        Assert.That(Json(new ChatMessage("t", "m", "alice", 17, Ts)), Does.Contain("{\"thread\":\"t\",\"message\":\"m\",\"from\":\"alice\",\"id\":17,\"ts\":\"2026-12-02T15:00:00.123Z\"}"));
        Assert.That(Json(new ChatMessage("t", "m", "alice", 17, Ts, Ts)), Does.Contain("\"ts\":\"2026-12-02T15:00:00.123Z\",\"editedTs\":\"2026-12-02T15:00:00.123Z\"}"));
    }
}
