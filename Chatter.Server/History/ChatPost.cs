namespace Chatter.Server.History;

/// <summary>A message to store.</summary>
/// <param name="Thread">The thread it is posted to.</param>
/// <param name="Message">The text.</param>
/// <param name="From">The user who sent it.</param>
/// <param name="Ref">
/// The client's reference for it, or null. A post whose user, ref, thread and text equal those of a message that user
/// stored within <c>Chatter:History:DedupeMinutes</c> is that message again: it is not stored twice.
/// </param>
public sealed record ChatPost(string Thread, string Message, string From, string? Ref);
