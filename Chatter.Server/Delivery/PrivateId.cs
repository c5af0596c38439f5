namespace Chatter.Server.Delivery;

/// <summary>
/// Sent to every v2 connection for a direct message, in place of the message: its id, and the two users who get the
/// message itself. A connection of neither counts the id as seen for its checkpoints (ids are dense, so without it the
/// checkpoints of everyone else would stall at a message they may not see); it is never written to a client.
/// </summary>
/// <param name="Id">The direct message's id.</param>
/// <param name="First">One of its two users.</param>
/// <param name="Second">The other (the same as <paramref name="First"/> for a message to oneself).</param>
public sealed record PrivateId(long Id, string First, string Second)
{
    /// <summary>The hub "method" that carries it; the delivery consumes it, so no client ever sees it.</summary>
    public const string Method = "chatter:private-id";

    /// <summary>True when <paramref name="user"/> is one of the two: their connections get the message itself.</summary>
    public bool Includes(string? user) => user == First || user == Second;
}
