using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Hubs;

/// <summary>The message rate of a connection: one token per message (and per other call); false when the caller is over its rate.</summary>
public interface IMessageRate
{
    bool TryAcquire(HubCallerContext caller, string method);
}
