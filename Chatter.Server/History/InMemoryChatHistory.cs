using Chatter.Protocol;
using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Chatter.Server.History;

/// <summary>
/// The original's behaviour: history in memory, lost on restart. Bounded per thread
/// (<c>Chatter:History:MaxPerThread</c>, oldest dropped).
/// </summary>
public sealed class InMemoryChatHistory(IOptions<ChatterOptions> options, TimeProvider time) : IChatHistory
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, MessageRing> threads = new(StringComparer.Ordinal);
    private readonly int maxPerThread = options.Value.History.MaxPerThread;
    private long lastId;

    public ValueTask<ChatMessage> AppendAsync(string thread, string message, string from, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!threads.TryGetValue(thread, out var ring))
            {
                ring = new MessageRing(maxPerThread);
                threads.Add(thread, ring);
            }

            var stored = new ChatMessage(thread, message, from, ++lastId, UtcTimestampConverter.Truncate(time.GetUtcNow()));
            ring.Add(stored);
            return ValueTask.FromResult(stored);
        }
    }

    public ValueTask<IReadOnlyList<ChatMessage>> GetReplayAsync(long? sinceId, int perThread, int total, CancellationToken cancellationToken)
    {
        var newest = new List<ChatMessage>();
        lock (gate)
        {
            foreach (var ring in threads.Values)
            {
                var from = Math.Max(ring.FirstAfter(sinceId ?? 0), ring.Count - perThread);
                for (var i = from; i < ring.Count; i++)
                {
                    newest.Add(ring[i]);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ChatMessage>>(HistoryOrder.NewestOldestFirst(newest, total));
    }

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        var page = new List<ChatMessage>();
        lock (gate)
        {
            if (thread is null)
            {
                foreach (var ring in threads.Values)
                {
                    AddPage(ring, beforeId, limit, page);
                }
            }
            else if (threads.TryGetValue(thread, out var ring))
            {
                AddPage(ring, beforeId, limit, page);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ChatMessage>>(HistoryOrder.NewestOldestFirst(page, limit));
    }

    public ValueTask CheckAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private static void AddPage(MessageRing ring, long? beforeId, int limit, List<ChatMessage> page)
    {
        var end = beforeId is { } before ? ring.FirstAfter(before - 1) : ring.Count;
        for (var i = Math.Max(0, end - limit); i < end; i++)
        {
            page.Add(ring[i]);
        }
    }
}
