using Chatter.Protocol;

namespace Chatter.Server.History;

/// <summary>Shorthands on <see cref="IChatHistory"/>.</summary>
public static class ChatHistoryExtensions
{
    /// <summary>Stores a message with no ref (never a resend) and answers it.</summary>
    public static async ValueTask<ChatMessage> AppendAsync(this IChatHistory history, string thread, string message, string from, CancellationToken cancellationToken)
        => (await history.AppendAsync(new ChatPost(thread, message, from, null), cancellationToken)).Message;
}
