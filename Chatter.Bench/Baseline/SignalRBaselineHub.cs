using Chatter.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Bench.Baseline;

/// <summary>
/// The chat hub a .NET team would write instead of Chatter: validate with Chatter's rules, give the message an id and
/// a timestamp, send it to every other connection and return it as the ack. No store, no replay, no limits, no
/// per-message logging; SignalR's default lifetime manager and JSON protocol.
/// </summary>
internal sealed class SignalRBaselineHub : Hub
{
    // One counter per process: ids only have to increase, as Chatter's do.
    private static long nextId;

    /// <summary>Builds the message Chatter would store (<c>{thread,message,from,id,ts}</c>), broadcasts it to the others, returns it.</summary>
    public async Task<ChatMessage> SendMessage(string? thread, string? message)
    {
        if (ChatRules.Validate(thread, message, ChatRules.DefaultMaxMessageChars) is { } reason)
        {
            throw new HubException(reason);
        }

        var sent = new ChatMessage(thread!, message!, Context.UserIdentifier!, Interlocked.Increment(ref nextId), UtcTimestampConverter.Truncate(DateTimeOffset.UtcNow));
        await Clients.Others.SendAsync("ReceiveMessage", sent);
        return sent;
    }
}
