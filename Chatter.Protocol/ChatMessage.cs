using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary>
/// A stored chat message: what is replayed on login, broadcast live, returned by <c>SendMessage</c>
/// and paged by <c>GetHistory</c>. On the SignalR hub it travels as camelCase JSON
/// <c>{thread,message,from,id,ts}</c> (with <c>editedTs</c> once edited); raw clients receive it with <c>sender</c>
/// added (see <see cref="FrameWriter"/>).
/// </summary>
/// <param name="Thread">The thread (conversation) name, 1–64 characters.</param>
/// <param name="Message">The text, at least one character: the current one, after any edit.</param>
/// <param name="From">The authenticated user who sent it; never taken from the client.</param>
/// <param name="Id">Increases with every stored message, across threads (and nodes sharing a store).</param>
/// <param name="Ts">The server's UTC time when the message was stored, to the millisecond.</param>
/// <param name="EditedTs">
/// The server's UTC time of the last edit of its text, to the millisecond; null (and not written, so a message never
/// edited reads exactly as before edits existed) when it was never edited.
/// </param>
public sealed record ChatMessage(
    [property: JsonPropertyName("thread")] string Thread,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("ts"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Ts,
    [property: JsonPropertyName("editedTs"), JsonConverter(typeof(UtcTimestampConverter)), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedTs = null);
