using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary><c>POST /api/token</c> body.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password);

/// <summary><c>POST /api/token</c> answer: a bearer token for the hub and when it expires.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expiresAt"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset ExpiresAt);

/// <summary><c>{"error":"reason"}</c> from the HTTP endpoints.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);

/// <summary><c>GET /api/presence</c> answer: the users online, in ordinal order.</summary>
public sealed record PresenceResponse([property: JsonPropertyName("users")] string[] Users);

/// <summary><c>POST /api/admin/kick</c> body: the user to kick.</summary>
public sealed record KickRequest([property: JsonPropertyName("user")] string? User);

/// <summary>
/// A kick done (<c>POST /api/admin/kick</c>'s answer, the hub's <c>Kick</c> result): the user whose connections were
/// closed on every node, and when their logins are allowed again.
/// </summary>
public sealed record KickResponse(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("until"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Until);

/// <summary>Source-generated JSON for the protocol's HTTP and hub types.</summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ChatMessage[]))]
[JsonSerializable(typeof(DeletedMessage))]
[JsonSerializable(typeof(Recovery))]
[JsonSerializable(typeof(ReadMarker))]
[JsonSerializable(typeof(TypingNotice))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PresenceResponse))]
[JsonSerializable(typeof(KickRequest))]
[JsonSerializable(typeof(KickResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
