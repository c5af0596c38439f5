using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary>A user has read <paramref name="Thread"/> up to the message <paramref name="Id"/> (<c>{"thread":"general","id":42}</c>).</summary>
/// <param name="Thread">The thread, as the user names it.</param>
/// <param name="Id">The id of the newest message read; a marker never moves backwards.</param>
public sealed record ReadMarker(
    [property: JsonPropertyName("thread")] string Thread,
    [property: JsonPropertyName("id")] long Id);

/// <summary>A user is typing in a thread (<c>{"thread":"general","user":"alice"}</c>); never stored.</summary>
/// <param name="Thread">The thread.</param>
/// <param name="User">Who is typing.</param>
public sealed record TypingNotice(
    [property: JsonPropertyName("thread")] string Thread,
    [property: JsonPropertyName("user")] string User);
