using Chatter.Protocol;
using Chatter.Protocol.Frames;

namespace Chatter.Tests.Protocol;

public class ChatRulesTests
{
    private const int MaxMessageChars = 10;

    /// <summary>Grinning face, U+1F600: one character to a reader, two UTF-16 code units to .NET and JavaScript.</summary>
    private const string Emoji = "\U0001F600";

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    [Test]
    public void ThreadAndMessageWithinTheLimitsAreAccepted()
        => Assert.That(ChatRules.Validate("test1", "Hello World!", ChatRules.DefaultMaxMessageChars), Is.Null);

    [Test]
    public void DefaultLimitsAreThoseOfTheContract()
        => Assert.Multiple(() =>
        {
            Assert.That(ChatRules.MaxThreadChars, Is.EqualTo(64));
            Assert.That(ChatRules.DefaultMaxMessageChars, Is.EqualTo(4000));
        });

    [Test]
    public void MissingThreadIsRefused()
        => Assert.That(ChatRules.Validate(null, "m", MaxMessageChars), Is.EqualTo(FrameError.ThreadRequired));

    [Test]
    public void EmptyThreadIsRefused()
        => Assert.That(ChatRules.Validate("", "m", MaxMessageChars), Is.EqualTo("thread must not be empty"));

    [Test]
    public void ThreadOf64CharactersIsAccepted()
        => Assert.That(ChatRules.Validate(new string('t', 64), "m", MaxMessageChars), Is.Null);

    [Test]
    public void ThreadOf65CharactersIsRefused()
        => Assert.That(ChatRules.Validate(new string('t', 65), "m", MaxMessageChars), Is.EqualTo("thread is longer than 64 characters"));

    [Test]
    public void ThreadLengthCountsUtf16CodeUnitsSo32EmojiAreAccepted()
        => Assert.That(ChatRules.Validate(Repeat(Emoji, 32), "m", MaxMessageChars), Is.Null);

    [Test]
    public void ThreadLengthCountsUtf16CodeUnitsSo33EmojiAreRefused()
        => Assert.That(ChatRules.Validate(Repeat(Emoji, 33), "m", MaxMessageChars), Is.EqualTo("thread is longer than 64 characters"));

    [Test]
    public void MissingMessageIsRefused()
        => Assert.That(ChatRules.Validate("t", null, MaxMessageChars), Is.EqualTo(FrameError.MessageRequired));

    [Test]
    public void EmptyMessageIsRefused()
        => Assert.That(ChatRules.Validate("t", "", MaxMessageChars), Is.EqualTo("message must not be empty"));

    [Test]
    public void MessageOfExactlyTheLimitIsAccepted()
        => Assert.That(ChatRules.Validate("t", new string('m', MaxMessageChars), MaxMessageChars), Is.Null);

    [Test]
    public void MessageOverTheLimitIsRefusedNamingTheLimit()
        => Assert.That(ChatRules.Validate("t", new string('m', MaxMessageChars + 1), MaxMessageChars), Is.EqualTo("message is longer than 10 characters"));

    [Test]
    public void MessageLengthCountsUtf16CodeUnits()
        => Assert.Multiple(() =>
        {
            Assert.That(ChatRules.Validate("t", Repeat(Emoji, 5), MaxMessageChars), Is.Null);
            Assert.That(ChatRules.Validate("t", Repeat(Emoji, 6), MaxMessageChars), Is.EqualTo("message is longer than 10 characters"));
        });

    [Test]
    public void WhitespaceOnlyThreadAndMessageAreStillCharacters()
        => Assert.That(ChatRules.Validate(" ", " ", MaxMessageChars), Is.Null);

    [Test]
    public void ThreadIsCheckedBeforeMessage()
        => Assert.That(ChatRules.Validate("", null, MaxMessageChars), Is.EqualTo("thread must not be empty"));
}
