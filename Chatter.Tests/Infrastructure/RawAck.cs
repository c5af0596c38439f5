using System.Text.Json;

namespace Chatter.Tests.Infrastructure;

/// <summary>The sender's ack of a stored message: <c>{"ack":"&lt;ref&gt;","id":17,"ts":"..."}</c>, exactly those three properties.</summary>
public sealed record RawAck(string Ref, long Id, string Ts)
{
    public static RawAck Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object), $"an ack is an object: {text}");
        Assert.That(root.EnumerateObject().Select(p => p.Name).ToList(), Is.EquivalentTo(new[] { "ack", "id", "ts" }), $"properties of {text}");
        var ack = new RawAck(RawChatMessage.StringOf(root, "ack", text), RawChatMessage.IdOf(root, text), RawChatMessage.StringOf(root, "ts", text));
        Assert.That(ack.Ts, Does.Match(RawChatMessage.TimestampPattern), $"ts of {text}");
        return ack;
    }
}
