using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;

namespace Chatter.Tests.Protocol;

public class FrameReaderLoginTests
{
    private static bool TryRead(string text, out LoginFrame? frame) => FrameReader.TryReadLogin(Encoding.UTF8.GetBytes(text), out frame);

    [Test]
    public void OriginalLoginFrameIsRead()
    {
        Assert.That(TryRead("{\"username\": \"test1\", \"password\": \"pass1\"}", out var frame), Is.True);
        Assert.That(frame, Is.EqualTo(new LoginFrame("test1", "pass1", null)));
    }

    [Test]
    public void SinceIsRead()
    {
        Assert.That(TryRead("{\"username\":\"test1\",\"password\":\"pass1\",\"since\":17}", out var frame), Is.True);
        Assert.That(frame!.Since, Is.EqualTo(17));
    }

    [Test]
    public void FieldsMayComeInAnyOrder()
    {
        Assert.That(TryRead("{\"since\":3,\"password\":\"p\",\"username\":\"u\"}", out var frame), Is.True);
        Assert.That(frame, Is.EqualTo(new LoginFrame("u", "p", 3)));
    }

    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("\"5\"")]
    [TestCase("null")]
    [TestCase("99999999999999999999999")]
    public void SinceThatIsNotANonNegativeIntegerIsIgnored(string since)
    {
        Assert.That(TryRead($"{{\"username\":\"u\",\"password\":\"p\",\"since\":{since}}}", out var frame), Is.True);
        Assert.That(frame!.Since, Is.Null);
    }

    [Test]
    public void UnknownFieldsOfAnyShapeAreSkipped()
    {
        Assert.That(TryRead("{\"x\":{\"a\":[1,{\"b\":null}]},\"username\":\"u\",\"y\":[true],\"password\":\"p\"}", out var frame), Is.True);
        Assert.That(frame, Is.EqualTo(new LoginFrame("u", "p", null)));
    }

    [TestCase("", TestName = "EmptyInputIsNotALogin")]
    [TestCase("not json", TestName = "TextThatIsNotJsonIsNotALogin")]
    [TestCase("[\"test1\",\"pass1\"]", TestName = "JsonArrayIsNotALogin")]
    [TestCase("\"test1\"", TestName = "JsonStringIsNotALogin")]
    [TestCase("{}", TestName = "EmptyObjectIsNotALogin")]
    [TestCase("{\"username\":\"test1\"}", TestName = "LoginWithoutPasswordIsNotALogin")]
    [TestCase("{\"password\":\"pass1\"}", TestName = "LoginWithoutUsernameIsNotALogin")]
    [TestCase("{\"username\":1,\"password\":\"pass1\"}", TestName = "NumericUsernameIsNotALogin")]
    [TestCase("{\"username\":\"test1\",\"password\":null}", TestName = "NullPasswordIsNotALogin")]
    [TestCase("{\"username\":\"test1\",\"password\":\"pass1\"", TestName = "TruncatedObjectIsNotALogin")]
    [TestCase("{\"username\":\"test1\",\"password\":\"pass1\"} trailing", TestName = "TrailingGarbageIsNotALogin")]
    public void InputThatIsNotALoginFrameIsRefusedWithoutThrowing(string text)
    {
        Assert.That(TryRead(text, out var frame), Is.False);
        Assert.That(frame, Is.Null);
    }

    [Test]
    public void DeeplyNestedInputIsRefusedWithoutThrowing()
    {
        var text = "{\"x\":" + new string('[', 200) + new string(']', 200) + ",\"username\":\"u\",\"password\":\"p\"}";
        Assert.That(TryRead(text, out _), Is.False);
    }

    [Test]
    public void InvalidUtf8IsRefusedWithoutThrowing()
    {
        byte[] bytes = [.. "{\"username\":\""u8, 0xFF, 0xFE, .. "\",\"password\":\"p\"}"u8];
        Assert.That(FrameReader.TryReadLogin(bytes, out _), Is.False);
    }

    [Test]
    public void LoginFrameTextHidesThePassword()
        => Assert.That(new LoginFrame("test1", "s3cret", 5).ToString(), Does.Not.Contain("s3cret").And.Contain("test1"));
}
