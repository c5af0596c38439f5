using System.Text.Json.Serialization;

namespace Chatter.Bench.Clients;

/// <summary>The one field of a received <c>ChatMessage</c> the bench reads (the others are skipped unread).</summary>
internal sealed record ReceivedText([property: JsonPropertyName("message")] string? Message);
