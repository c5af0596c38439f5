using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;

namespace Chatter.Tests.Protocol;

public class FrameReaderChatTests
{
    private static ChatFrameResult Read(string text) => FrameReader.ReadChat(Encoding.UTF8.GetBytes(text));

    [Test]
    public void OriginalChatFrameIsRead()
    {
        var result = Read("{\"thread\":\"test1\",\"message\":\"Hello World!\",\"from\":\"test1\"}");
        Assert.That(result.Error, Is.Null);
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("test1", "Hello World!", null)));
    }

    [Test]
    public void StringRefIsRead()
    {
        var result = Read("{\"ref\":\"r1\",\"thread\":\"t\",\"message\":\"m\"}");
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("t", "m", "r1")));
        Assert.That(result.Ref, Is.EqualTo("r1"));
    }

    [TestCase("1")]
    [TestCase("true")]
    [TestCase("null")]
    [TestCase("{\"a\":\"r1\"}")]
    [TestCase("[\"r1\"]")]
    public void NonStringRefIsNoRef(string reference)
    {
        var result = Read($"{{\"thread\":\"t\",\"message\":\"m\",\"ref\":{reference}}}");
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("t", "m", null)));
        Assert.That(result.Ref, Is.Null);
    }

    [Test]
    public void ClientSuppliedFromSenderAndUnknownFieldsAreSkipped()
    {
        var result = Read("{\"from\":\"mallory\",\"sender\":\"mallory\",\"id\":1,\"x\":{\"y\":[1,2]},\"thread\":\"t\",\"message\":\"m\"}");
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("t", "m", null)));
    }

    [Test]
    public void EscapedTextIsUnescaped()
    {
        var result = Read("{\"thread\":\"t\\u00e9\",\"message\":\"a\\\"b\\\\c\\n\\ud83d\\ude00\"}");
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("t\u00e9", "a\"b\\c\n\U0001F600", null)));
    }

    [TestCase("not json", FrameError.InvalidJson, TestName = "TextThatIsNotJsonIsInvalidJson")]
    [TestCase("{\"thread\":\"t\",\"message\":", FrameError.InvalidJson, TestName = "TruncatedObjectIsInvalidJson")]
    [TestCase("{\"thread\":\"t\",\"message\":\"m\"} x", FrameError.InvalidJson, TestName = "TrailingGarbageIsInvalidJson")]
    [TestCase("", FrameError.InvalidJson, TestName = "EmptyInputIsInvalidJson")]
    [TestCase("[1,2]", FrameError.NotAnObject, TestName = "JsonArrayIsNotAnObject")]
    [TestCase("\"hello\"", FrameError.NotAnObject, TestName = "JsonStringIsNotAnObject")]
    [TestCase("42", FrameError.NotAnObject, TestName = "JsonNumberIsNotAnObject")]
    [TestCase("null", FrameError.NotAnObject, TestName = "JsonNullIsNotAnObject")]
    [TestCase("{\"message\":\"m\"}", FrameError.ThreadRequired, TestName = "MissingThreadIsRequired")]
    [TestCase("{\"thread\":null,\"message\":\"m\"}", FrameError.ThreadRequired, TestName = "NullThreadIsRequired")]
    [TestCase("{\"thread\":5,\"message\":\"m\"}", FrameError.ThreadNotString, TestName = "NumericThreadIsNotAString")]
    [TestCase("{\"thread\":[\"t\"],\"message\":\"m\"}", FrameError.ThreadNotString, TestName = "ArrayThreadIsNotAString")]
    [TestCase("{\"thread\":\"t\"}", FrameError.MessageRequired, TestName = "MissingMessageIsRequired")]
    [TestCase("{\"thread\":\"t\",\"message\":null}", FrameError.MessageRequired, TestName = "NullMessageIsRequired")]
    [TestCase("{\"thread\":\"t\",\"message\":{\"text\":\"m\"}}", FrameError.MessageNotString, TestName = "ObjectMessageIsNotAString")]
    [TestCase("{\"thread\":\"t\",\"message\":false}", FrameError.MessageNotString, TestName = "BooleanMessageIsNotAString")]
    [TestCase("{}", FrameError.ThreadRequired, TestName = "EmptyObjectNamesTheThreadFirst")]
    public void UnusableFrameIsRefusedWithItsReason(string text, string reason)
    {
        var result = Read(text);
        Assert.That(result.Frame, Is.Null);
        Assert.That(result.Error, Is.EqualTo(reason));
    }

    [Test]
    public void RefusedFrameKeepsItsStringRefWhereverItStands()
        => Assert.Multiple(() =>
        {
            Assert.That(Read("{\"ref\":\"r1\",\"message\":\"m\"}"), Is.EqualTo(ChatFrameResult.Refused(FrameError.ThreadRequired, "r1")));
            Assert.That(Read("{\"thread\":\"t\",\"message\":7,\"ref\":\"r2\"}"), Is.EqualTo(ChatFrameResult.Refused(FrameError.MessageNotString, "r2")));
        });

    [Test]
    public void RefusedFrameWithNonStringRefHasNoRef()
        => Assert.That(Read("{\"ref\":3,\"message\":\"m\"}"), Is.EqualTo(ChatFrameResult.Refused(FrameError.ThreadRequired, null)));

    [Test]
    public void LengthRulesAreLeftToChatRules()
    {
        var result = Read("{\"thread\":\"\",\"message\":\"\"}");
        Assert.That(result.Frame, Is.EqualTo(new ChatFrame("", "", null)));
    }

    [Test]
    public void InvalidUtf8IsInvalidJson()
    {
        byte[] bytes = [.. "{\"thread\":\"t\",\"message\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.That(FrameReader.ReadChat(bytes).Error, Is.EqualTo(FrameError.InvalidJson));
    }

    [Test]
    public void LoneSurrogateEscapeIsRefusedWithoutThrowing()
    {
        var result = Read("{\"thread\":\"t\",\"message\":\"\\ud800\"}");
        Assert.That(result.Frame, Is.Null);
        Assert.That(result.Error, Is.Not.Null);
    }

    [Test]
    public void DeeplyNestedInputIsRefusedWithoutThrowing()
    {
        var result = Read("{\"x\":" + new string('[', 500) + new string(']', 500) + ",\"thread\":\"t\",\"message\":\"m\"}");
        Assert.That(result.Frame, Is.Null);
        Assert.That(result.Error, Is.EqualTo(FrameError.InvalidJson));
    }
}
