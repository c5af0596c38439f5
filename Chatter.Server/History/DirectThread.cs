using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>
/// Direct-message threads. A client names one by the other party (<c>@bob</c>); it is stored once, under a key naming
/// both users in a fixed order (<c>@5:alice|bob</c>: the first name's length, so no name can make two pairs meet), and
/// shown to each of the two as the other's name. Stores decide who may read a message from its two members alone.
/// </summary>
public static class DirectThread
{
    /// <summary>How a client names a direct-message thread: <c>@</c> and the other user's name.</summary>
    public const char Prefix = '@';

    /// <summary>True when the thread a client named is a direct-message thread (<c>@bob</c>).</summary>
    public static bool IsDirect(string thread) => thread.Length > 1 && thread[0] == Prefix;

    /// <summary>The stored key of the thread between <paramref name="one"/> and <paramref name="other"/> (in either order).</summary>
    public static string Key(string one, string other)
    {
        var (first, second) = string.CompareOrdinal(one, other) <= 0 ? (one, other) : (other, one);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{first.Length}:{first}|{second}");
    }

    /// <summary>The two users of a stored direct-message key, first in ordinal order; false for any other thread.</summary>
    public static bool TryParse(string stored, [NotNullWhen(true)] out string? first, [NotNullWhen(true)] out string? second)
    {
        first = second = null;
        if (stored.Length < 4 || stored[0] != Prefix)
        {
            return false;
        }

        var colon = stored.IndexOf(':', 1);
        if (colon < 2 || !int.TryParse(stored.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length < 1 || length > stored.Length)
        {
            return false;
        }

        var bar = colon + 1 + length;
        if (bar >= stored.Length - 1 || stored[bar] != '|')
        {
            return false;
        }

        first = stored.Substring(colon + 1, length);
        second = stored[(bar + 1)..];
        return Key(first, second) == stored;
    }

    /// <summary>True when <paramref name="viewer"/> may read <paramref name="stored"/>: a public thread, or a direct one of theirs.</summary>
    public static bool CanRead(string stored, string? viewer)
        => !TryParse(stored, out var first, out var second) || (viewer is not null && (viewer == first || viewer == second));

    /// <summary>The thread as <paramref name="viewer"/> names it: <c>@</c> and the other user for a direct one of theirs, else as stored.</summary>
    public static string ViewOf(string stored, string viewer)
    {
        if (!TryParse(stored, out var first, out var second))
        {
            return stored;
        }

        return Prefix + (viewer == first ? second : first);
    }

    /// <summary><paramref name="message"/> as <paramref name="viewer"/> sees it (the same instance for a public thread).</summary>
    public static ChatMessage ViewOf(ChatMessage message, string viewer)
        => TryParse(message.Thread, out _, out _) ? message with { Thread = ViewOf(message.Thread, viewer) } : message;

    /// <summary>Every message of <paramref name="messages"/> as <paramref name="viewer"/> sees it.</summary>
    public static IReadOnlyList<ChatMessage> ViewOf(IReadOnlyList<ChatMessage> messages, string viewer)
    {
        ChatMessage[]? viewed = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (TryParse(messages[i].Thread, out _, out _))
            {
                viewed ??= [.. messages];
                viewed[i] = ViewOf(messages[i], viewer);
            }
        }

        return viewed ?? messages;
    }
}
