using System.Text.Json;

namespace Chatter.Tests.Infrastructure;

/// <summary>A refused frame's answer: <c>{"error":"&lt;reason&gt;"}</c>, with <c>"ref"</c> only when the frame had a string ref.</summary>
public sealed record RawError(string Reason, string? Ref)
{
    public static RawError Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object), $"an error is an object: {text}");
        var hasRef = root.TryGetProperty("ref", out _);
        var expected = hasRef ? new[] { "error", "ref" } : new[] { "error" };
        Assert.That(root.EnumerateObject().Select(p => p.Name).ToList(), Is.EquivalentTo(expected), $"properties of {text}");
        return new RawError(RawChatMessage.StringOf(root, "error", text), hasRef ? RawChatMessage.StringOf(root, "ref", text) : null);
    }
}
