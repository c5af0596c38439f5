using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Hubs;

/// <summary>The message rate of a caller: one token per message (and per other call).</summary>
public interface IMessageRate
{
    /// <summary>
    /// Takes a token for each of <paramref name="count"/> calls of <paramref name="method"/> (a batch of messages takes
    /// them in one step): how many of them, the first ones, are within the caller's rate. The rest are refused.
    /// </summary>
    ValueTask<int> AcquireAsync(HubCallerContext caller, string method, int count);
}
