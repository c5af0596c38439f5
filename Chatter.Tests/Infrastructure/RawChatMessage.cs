using System.Text.Json;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A chat message as a raw client receives it, replayed or live: <c>{"thread","message","from","sender","id","ts"}</c>.
/// <see cref="Parse"/> asserts the contract's shape: exactly those six properties, their types, and the timestamp format.
/// </summary>
public sealed record RawChatMessage(string Thread, string Message, string From, string Sender, long Id, string Ts)
{
    /// <summary>The properties of a message frame, no more, no fewer.</summary>
    public static readonly IReadOnlyList<string> PropertyNames = ["thread", "message", "from", "sender", "id", "ts"];

    /// <summary>ISO 8601 UTC with exactly three fraction digits and <c>Z</c>.</summary>
    public const string TimestampPattern = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$";

    public static RawChatMessage Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.That(root.ValueKind, Is.EqualTo(JsonValueKind.Object), $"a message frame is an object: {text}");
        Assert.That(root.EnumerateObject().Select(p => p.Name).ToList(), Is.EquivalentTo(PropertyNames), $"properties of {text}");
        var message = new RawChatMessage(
            StringOf(root, "thread", text),
            StringOf(root, "message", text),
            StringOf(root, "from", text),
            StringOf(root, "sender", text),
            IdOf(root, text),
            StringOf(root, "ts", text));
        Assert.That(message.Ts, Does.Match(TimestampPattern), $"ts of {text}");
        Assert.That(message.Sender, Is.EqualTo(message.From), $"sender repeats from in {text}");
        return message;
    }

    /// <summary>True when <paramref name="text"/> is an ack (<c>{"ack",...}</c>) rather than a message or an error.</summary>
    public static bool IsAck(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("ack", out _);
    }

    internal static string StringOf(JsonElement root, string name, string text)
    {
        Assert.That(root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String, Is.True, $"\"{name}\" is a string in {text}");
        return value.GetString()!;
    }

    internal static long IdOf(JsonElement root, string text)
    {
        Assert.That(root.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), Is.True, $"\"id\" is an integer in {text}");
        return value.GetInt64();
    }
}
