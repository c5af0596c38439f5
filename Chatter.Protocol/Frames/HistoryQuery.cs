namespace Chatter.Protocol.Frames;

/// <summary>
/// <c>{"history": {"thread": "general", "before": 120, "limit": 50}}</c>: a raw client asks for a page of history, the
/// newest <paramref name="Limit"/> messages with an id below <paramref name="Before"/> (all when null), of one thread or
/// of all (<paramref name="Thread"/> null), answered oldest first. <paramref name="Limit"/> is checked by the hub (1–500).
/// </summary>
public sealed record HistoryQuery(string? Thread, long? Before, int Limit)
{
    /// <summary>The page size when the request names none.</summary>
    public const int DefaultLimit = 50;
}
