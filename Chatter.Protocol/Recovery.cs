using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary>
/// How a replay answered a resume (<c>{"recovered":true,"upTo":1234,"epoch":"7f3c…"}</c>), sent after the replay to
/// connections that opted in (<c>"v": 2</c>).
/// </summary>
/// <param name="Recovered">
/// True when the resume's <c>since</c> (0 when none) was honoured in full: nothing newer was left out by the replay's
/// bounds or by retention, and the resume's epoch, if given, is the store's. False: the replay is a new client's one.
/// </param>
/// <param name="UpTo">
/// Every message with an id at or below it was in the replay (or, when not recovered, left out by its bounds); every
/// message stored later arrives live. Resume from it, with <paramref name="Epoch"/>.
/// </param>
/// <param name="Epoch">Names the store's history; ids mean nothing across epochs.</param>
public sealed record Recovery(
    [property: JsonPropertyName("recovered")] bool Recovered,
    [property: JsonPropertyName("upTo")] long UpTo,
    [property: JsonPropertyName("epoch")] string Epoch);
