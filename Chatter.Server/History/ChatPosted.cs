using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>What a store answers a <see cref="ChatPost"/> with.</summary>
/// <param name="Message">The stored message: the new one, or the original of a resend.</param>
/// <param name="Resent">
/// True when the post repeated a message the store already held (same user, ref, thread and text within the dedupe
/// window): nothing was stored, and the message must not be broadcast again.
/// </param>
public sealed record ChatPosted(ChatMessage Message, bool Resent);
