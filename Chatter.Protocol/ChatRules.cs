namespace Chatter.Protocol;

/// <summary>
/// What makes a chat message acceptable, for every transport. Lengths are counted in UTF-16 code units,
/// as .NET's <see cref="string.Length"/> and JavaScript's <c>String.length</c> count them.
/// </summary>
public static class ChatRules
{
    /// <summary>The longest thread name, in characters.</summary>
    public const int MaxThreadChars = 64;

    /// <summary>The default longest message, in characters (<c>Chatter:MaxMessageChars</c>).</summary>
    public const int DefaultMaxMessageChars = 4000;

    /// <summary>Returns why <paramref name="thread"/> and <paramref name="message"/> cannot be stored, or null when they can.</summary>
    public static string? Validate(string? thread, string? message, int maxMessageChars)
    {
        return ValidateThread(thread) ?? ValidateMessage(message, maxMessageChars);
    }

    /// <summary>Returns why <paramref name="message"/> cannot be a message's text (new or edited), or null when it can.</summary>
    public static string? ValidateMessage(string? message, int maxMessageChars)
    {
        if (message is null)
        {
            return Frames.FrameError.MessageRequired;
        }

        if (message.Length == 0)
        {
            return "message must not be empty";
        }

        if (message.Length > maxMessageChars)
        {
            return $"message is longer than {maxMessageChars} characters";
        }

        return null;
    }

    /// <summary>Returns why <paramref name="thread"/> cannot name a thread, or null when it can.</summary>
    public static string? ValidateThread(string? thread)
    {
        if (thread is null)
        {
            return Frames.FrameError.ThreadRequired;
        }

        if (thread.Length == 0)
        {
            return "thread must not be empty";
        }

        return thread.Length > MaxThreadChars ? "thread is longer than 64 characters" : null;
    }
}
