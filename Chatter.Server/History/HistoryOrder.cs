using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>The order every store answers in: oldest first by id, keeping the newest.</summary>
internal static class HistoryOrder
{
    /// <summary>Sorts <paramref name="messages"/> by id and keeps the newest <paramref name="limit"/>.</summary>
    public static List<ChatMessage> NewestOldestFirst(List<ChatMessage> messages, int limit)
    {
        messages.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return messages.Count <= limit ? messages : messages.GetRange(messages.Count - limit, limit);
    }
}
