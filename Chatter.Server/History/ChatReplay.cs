using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// A login replay, the store's high-water id at the moment it was read, the store's epoch, and whether the replay holds
/// everything asked for.
/// </summary>
/// <param name="Messages">The replayed messages, oldest first by id.</param>
/// <param name="HighWater">
/// The highest id the store had committed when the replay's snapshot was taken (0 for an empty store): every message
/// with an id at or below it was already visible to readers, and every message stored later gets a greater id. A
/// connection can drop live messages at or below it (they are history) and deliver those above it.
/// </param>
/// <param name="Epoch">
/// Names the store's history: made when the store was created (a new SQLite file, a flushed Redis, a new database), so
/// ids of one epoch say nothing about another's.
/// </param>
/// <param name="Complete">
/// True when no message with an id above the replay's <c>since</c> (0 when none was given) and at or below
/// <paramref name="HighWater"/> was left out, by the replay's bounds or by retention.
/// </param>
public sealed record ChatReplay(IReadOnlyList<ChatMessage> Messages, long HighWater, string Epoch, bool Complete);
