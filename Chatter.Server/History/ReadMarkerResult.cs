namespace Chatter.Server.History;

/// <summary>What a store did with a read marker.</summary>
public enum ReadMarkerResult
{
    /// <summary>The marker moved forward (or was new): the user's other connections are told.</summary>
    Moved,

    /// <summary>The stored marker is at or past it already (a marker never moves backwards).</summary>
    Unchanged,

    /// <summary>The user has <see cref="IChatHistory.MaxReadMarkersPerUser"/> markers already, none for this thread.</summary>
    TooMany,
}
