using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>One thread's messages in id order, the oldest dropped past a fixed capacity. Not thread-safe.</summary>
internal sealed class MessageRing(int capacity)
{
    private ChatMessage[] items = new ChatMessage[Math.Min(capacity, 16)];
    private int head;

    public int Count { get; private set; }

    public ChatMessage this[int index] => items[(head + index) % items.Length];

    /// <summary>Adds <paramref name="message"/>; answers the id of the oldest message it dropped to make room, or 0.</summary>
    public long Add(ChatMessage message)
    {
        if (Count == items.Length && items.Length < capacity)
        {
            Grow();
        }

        if (Count == items.Length)
        {
            var dropped = items[head].Id;
            items[head] = message;
            head = (head + 1) % items.Length;
            return dropped;
        }

        items[(head + Count) % items.Length] = message;
        Count++;
        return 0;
    }

    /// <summary>The index of the first message whose id is greater than <paramref name="id"/> (Count when none).</summary>
    public int FirstAfter(long id)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (this[mid].Id <= id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>The index of the message with id <paramref name="id"/>, or -1.</summary>
    public int IndexOf(long id)
    {
        var index = FirstAfter(id - 1);
        return index < Count && this[index].Id == id ? index : -1;
    }

    /// <summary>Puts <paramref name="message"/> (of the same id) in place of the message at <paramref name="index"/>.</summary>
    public void Replace(int index, ChatMessage message) => items[(head + index) % items.Length] = message;

    /// <summary>Removes the message at <paramref name="index"/>; the later ones move down, so the order stays.</summary>
    public void RemoveAt(int index)
    {
        for (var i = index; i < Count - 1; i++)
        {
            items[(head + i) % items.Length] = this[i + 1];
        }

        items[(head + Count - 1) % items.Length] = null!;
        Count--;
    }

    private void Grow()
    {
        var grown = new ChatMessage[Math.Min(capacity, items.Length * 2)];
        for (var i = 0; i < Count; i++)
        {
            grown[i] = this[i];
        }

        items = grown;
        head = 0;
    }
}
