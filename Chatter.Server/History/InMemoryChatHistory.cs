using Chatter.Protocol;
using Microsoft.Extensions.Options;

namespace Chatter.Server.History;

/// <summary>
/// The original's behaviour: history in memory, lost on restart. Bounded per thread
/// (<c>Chatter:History:MaxPerThread</c>, oldest dropped).
/// </summary>
/// <remarks>
/// One lock numbers and adds messages, so ids follow the order in which messages become visible. A read across every
/// thread (the login replay, a page of all threads) never holds that lock for the whole walk: it takes the thread list
/// and the last id under the lock in O(1) (the list only grows, so a prefix of it stays valid), then visits the threads
/// one by one, holding the lock only while it copies one thread's newest messages. An append waits at most for one
/// such copy. The replay keeps what had an id at or below the last id of its snapshot, which is its exact high-water id;
/// a message a thread drops past <c>MaxPerThread</c> during the walk is left out, as retention would.
/// </remarks>
public sealed class InMemoryChatHistory(IOptions<HistoryOptions> options, TimeProvider time) : IChatHistory
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, MessageRing> threads = new(StringComparer.Ordinal);
    private readonly int maxPerThread = options.Value.MaxPerThread;
    private MessageRing[] order = new MessageRing[64];
    private string[] orderNames = new string[64];
    private readonly TimeSpan dedupeWindow = TimeSpan.FromMinutes(options.Value.DedupeMinutes);
    private readonly RecentPosts recent = new();
    private int threadCount;
    private long lastId;
    private long prunedThrough;
    private readonly Dictionary<long, MessageRing> ringOf = [];
    private readonly Dictionary<string, Dictionary<string, long>> readMarkers = new(StringComparer.Ordinal);

    /// <summary>Test seam: called by a read across threads after each thread it visited, outside the lock.</summary>
    internal Action? ThreadScanned { get; set; }

    /// <summary>A name for this process's history: it is gone at restart, so every start is a new epoch.</summary>
    public string Epoch { get; } = Guid.NewGuid().ToString("N");

    public ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var (thread, message, from) = (post.Thread, post.Message, post.From);
        lock (gate)
        {
            var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
            if (post.Ref is not null && dedupeWindow > TimeSpan.Zero && recent.Find(post, now - dedupeWindow) is { } original)
            {
                return ValueTask.FromResult(new ChatPosted(original, Resent: true));
            }

            if (!threads.TryGetValue(thread, out var ring))
            {
                ring = new MessageRing(maxPerThread);
                threads.Add(thread, ring);
                if (threadCount == order.Length)
                {
                    // A new array: readers keep the old one, whose first threadCount entries never change.
                    Array.Resize(ref order, order.Length * 2);
                    Array.Resize(ref orderNames, orderNames.Length * 2);
                }

                orderNames[threadCount] = thread;
                order[threadCount++] = ring;
            }

            var stored = new ChatMessage(thread, message, from, ++lastId, now);
            var dropped = ring.Add(stored);
            prunedThrough = Math.Max(prunedThrough, dropped);
            ringOf.Remove(dropped);
            ringOf[stored.Id] = ring;
            if (post.Ref is not null && dedupeWindow > TimeSpan.Zero)
            {
                recent.Add(post.Ref, stored, now - dedupeWindow);
            }

            return ValueTask.FromResult(new ChatPosted(stored, Resent: false));
        }
    }

    public ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
    {
        var (rings, names, count, highWater, pruned) = Snapshot();
        var since = sinceId ?? 0;
        var newest = new List<ChatMessage>();
        // Nothing newer than since dropped and nothing left out by the bounds below.
        var complete = pruned <= since;
        var gathered = 0;
        for (var t = 0; t < count; t++)
        {
            if (!DirectThread.CanRead(names[t], viewer))
            {
                continue;
            }

            lock (gate)
            {
                var ring = rings[t];
                var end = ring.FirstAfter(highWater);
                var first = ring.FirstAfter(since);
                // A drop during the walk (a message past MaxPerThread) may have taken one newer than since.
                complete &= prunedThrough <= since;
                var start = Math.Max(first, end - perThread);
                complete &= start <= first;
                gathered += Math.Max(0, end - start);
                for (var i = start; i < end && perThread > 0 && total > 0; i++)
                {
                    newest.Add(ring[i]);
                }
            }

            Compact(newest, total);
            ThreadScanned?.Invoke();
        }

        complete &= gathered <= total;
        return ValueTask.FromResult(new ChatReplay(HistoryOrder.NewestOldestFirst(newest, total), highWater, Epoch, complete));
    }

    public ValueTask<IReadOnlyList<ChatMessage>> GetPageAsync(string? viewer, string? thread, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        var page = new List<ChatMessage>();
        if (thread is not null && DirectThread.CanRead(thread, viewer))
        {
            lock (gate)
            {
                if (threads.TryGetValue(thread, out var ring))
                {
                    AddPage(ring, beforeId, limit, page);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<ChatMessage>>(page);
        }

        if (thread is not null)
        {
            return ValueTask.FromResult<IReadOnlyList<ChatMessage>>(page);
        }

        var (rings, names, count, highWater, _) = Snapshot();
        // Below the snapshot's high-water id too, so that the page is the one of that moment.
        var before = Math.Min(beforeId ?? long.MaxValue, highWater + 1);
        for (var t = 0; t < count; t++)
        {
            if (!DirectThread.CanRead(names[t], viewer))
            {
                continue;
            }

            lock (gate)
            {
                AddPage(rings[t], before, limit, page);
            }

            Compact(page, limit);
            ThreadScanned?.Invoke();
        }

        return ValueTask.FromResult<IReadOnlyList<ChatMessage>>(HistoryOrder.NewestOldestFirst(page, limit));
    }

    public ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (Locate(edit.Id) is not ({ } ring, var index))
            {
                return ValueTask.FromResult(ChatEditResult.NotFound);
            }

            var current = ring[index];
            if (current.From != edit.User)
            {
                return ValueTask.FromResult(ChatEditResult.NotYours);
            }

            var edited = current with { Message = edit.Message, EditedTs = UtcTimestampConverter.Truncate(time.GetUtcNow()) };
            ring.Replace(index, edited);
            return ValueTask.FromResult(new ChatEditResult(ChatChangeOutcome.Done, edited));
        }
    }

    public ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (Locate(removal.Id) is not ({ } ring, var index))
            {
                return ValueTask.FromResult(ChatDeleteResult.NotFound);
            }

            var current = ring[index];
            if (current.From != removal.User && !removal.AsAdmin)
            {
                return ValueTask.FromResult(new ChatDeleteResult(ChatChangeOutcome.NotYours, current.Thread, current.From));
            }

            // The ring stays (a thread left empty is kept, as one emptied by MaxPerThread never is): readers hold it.
            ring.RemoveAt(index);
            ringOf.Remove(removal.Id);
            return ValueTask.FromResult(new ChatDeleteResult(ChatChangeOutcome.Done, current.Thread, current.From));
        }
    }

    public ValueTask<ReadMarkerResult> SetReadMarkerAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
    {
        lock (readMarkers)
        {
            if (!readMarkers.TryGetValue(user, out var markers))
            {
                readMarkers[user] = markers = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            if (markers.TryGetValue(marker.Thread, out var current))
            {
                if (marker.Id <= current)
                {
                    return ValueTask.FromResult(ReadMarkerResult.Unchanged);
                }
            }
            else if (markers.Count >= IChatHistory.MaxReadMarkersPerUser)
            {
                return ValueTask.FromResult(ReadMarkerResult.TooMany);
            }

            markers[marker.Thread] = marker.Id;
            return ValueTask.FromResult(ReadMarkerResult.Moved);
        }
    }

    public ValueTask<IReadOnlyDictionary<string, long>> GetReadMarkersAsync(string user, CancellationToken cancellationToken)
    {
        lock (readMarkers)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<string, long>>(
                readMarkers.TryGetValue(user, out var markers) ? new Dictionary<string, long>(markers, StringComparer.Ordinal) : new Dictionary<string, long>());
        }
    }

    public ValueTask CheckAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The ring holding the message <paramref name="id"/> and its index there; null when there is none. Under the lock.</summary>
    private (MessageRing Ring, int Index)? Locate(long id)
        => ringOf.TryGetValue(id, out var ring) && ring.IndexOf(id) is var index and >= 0 ? (ring, index) : null;

    private (MessageRing[] Rings, string[] Names, int Count, long HighWater, long PrunedThrough) Snapshot()
    {
        lock (gate)
        {
            return (order, orderNames, threadCount, lastId, prunedThrough);
        }
    }

    /// <summary>Keeps the newest <paramref name="limit"/> once twice as many were gathered, so a walk holds O(limit).</summary>
    private static void Compact(List<ChatMessage> gathered, int limit)
    {
        if (gathered.Count >= 2 * limit && gathered.Count > 0)
        {
            var newest = HistoryOrder.NewestOldestFirst(gathered, limit);
            if (!ReferenceEquals(newest, gathered))
            {
                gathered.Clear();
                gathered.AddRange(newest);
            }
        }
    }

    private static void AddPage(MessageRing ring, long? beforeId, int limit, List<ChatMessage> page)
    {
        var end = beforeId is { } before ? ring.FirstAfter(before - 1) : ring.Count;
        for (var i = Math.Max(0, end - limit); i < end; i++)
        {
            page.Add(ring[i]);
        }
    }
}
