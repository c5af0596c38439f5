using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// A login replay and the store's high-water id at the moment it was read.
/// </summary>
/// <param name="Messages">The replayed messages, oldest first by id.</param>
/// <param name="HighWater">
/// The highest id the store had committed when the replay's snapshot was taken (0 for an empty store): every message
/// with an id at or below it was already visible to readers, and every message stored later gets a greater id. A
/// connection can drop live messages at or below it (they are history) and deliver those above it.
/// </param>
public sealed record ChatReplay(IReadOnlyList<ChatMessage> Messages, long HighWater);
