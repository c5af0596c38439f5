namespace Chatter.Server.History;

/// <summary>What a store did with an edit or a delete.</summary>
public enum ChatChangeOutcome
{
    /// <summary>Changed (or removed).</summary>
    Done,

    /// <summary>No message has that id (never stored, deleted, or removed by retention); nothing changed.</summary>
    NotFound,

    /// <summary>The message is someone else's (and, for a delete, the user is not an admin); nothing changed.</summary>
    NotYours,
}
