using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Moderation;

/// <summary>
/// Closes a hub connection, raw or SignalR, whose user was kicked after its login was checked and before the connection
/// was registered with <see cref="UserRevocation"/> (the kick's cut-off could not see it). Runs after revocation's own
/// filter, so the connection is registered when the kick list is read again.
/// </summary>
internal sealed class KickHubFilter(IKickList kicks, UserRevocation revocation) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.UserIdentifier!;
        if (await kicks.KickedUntilAsync(user) is not null)
        {
            revocation.Cut(user, FrameError.Kicked);
        }

        await next(context);
    }
}
