using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary>A message deleted by its author or an admin (<c>{"id":17,"thread":"general"}</c>): its text is gone from the history.</summary>
/// <param name="Id">The id the message had.</param>
/// <param name="Thread">The thread it was in.</param>
public sealed record DeletedMessage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("thread")] string Thread);
