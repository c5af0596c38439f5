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

/// <summary>Source-generated JSON for the protocol's HTTP and hub types.</summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(ChatMessage[]))]
[JsonSerializable(typeof(Recovery))]
[JsonSerializable(typeof(ReadMarker))]
[JsonSerializable(typeof(TypingNotice))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PresenceResponse))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
