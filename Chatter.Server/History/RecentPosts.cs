using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// The memory store's record of recent posts with a ref, to answer a resend with its original: by user and ref, the
/// newest first, forgotten once older than the dedupe window (pruned as posts are added) or past
/// <see cref="MaxPosts"/>, the oldest first. Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class RecentPosts
{
    /// <summary>The most posts remembered; a flood forgets its oldest refs sooner than the window.</summary>
    public const int MaxPosts = 100_000;

    private readonly Dictionary<(string From, string Ref), List<ChatMessage>> byRef = [];
    private readonly Queue<(string From, string Ref, ChatMessage Message)> byAge = new();

    /// <summary>The newest message of the post's user with its ref, thread and text stored at or after <paramref name="since"/>.</summary>
    public ChatMessage? Find(ChatPost post, DateTimeOffset since)
    {
        if (!byRef.TryGetValue((post.From, post.Ref!), out var messages))
        {
            return null;
        }

        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.Ts >= since && message.Thread == post.Thread && message.Message == post.Message)
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>Records <paramref name="message"/> under its ref, and forgets what was stored before <paramref name="forgetBefore"/>.</summary>
    public void Add(string clientRef, ChatMessage message, DateTimeOffset forgetBefore)
    {
        while (byAge.TryPeek(out var oldest) && (oldest.Message.Ts < forgetBefore || byAge.Count >= MaxPosts))
        {
            byAge.Dequeue();
            var list = byRef[(oldest.From, oldest.Ref)];
            list.RemoveAt(0);
            if (list.Count == 0)
            {
                byRef.Remove((oldest.From, oldest.Ref));
            }
        }

        var key = (message.From, clientRef);
        if (!byRef.TryGetValue(key, out var messages))
        {
            byRef[key] = messages = [];
        }

        messages.Add(message);
        byAge.Enqueue((message.From, clientRef, message));
    }
}
