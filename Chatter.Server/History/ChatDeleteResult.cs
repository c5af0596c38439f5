namespace Chatter.Server.History;

/// <summary>What a store answers a <see cref="ChatDelete"/> with.</summary>
/// <param name="Outcome">Done, or why not.</param>
/// <param name="Thread">The thread the message was in (null when not found).</param>
/// <param name="Author">Who wrote the message (null when not found): an admin's delete of someone else's is logged with it.</param>
public sealed record ChatDeleteResult(ChatChangeOutcome Outcome, string? Thread = null, string? Author = null)
{
    public static readonly ChatDeleteResult NotFound = new(ChatChangeOutcome.NotFound);
}
