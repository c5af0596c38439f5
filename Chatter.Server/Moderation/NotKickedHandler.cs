using Microsoft.AspNetCore.Authorization;

namespace Chatter.Server.Moderation;

/// <summary>Meets <see cref="NotKickedRequirement"/> for an authenticated user whom <see cref="IKickList"/> does not list now.</summary>
internal sealed class NotKickedHandler(IKickList kicks) : AuthorizationHandler<NotKickedRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, NotKickedRequirement requirement)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { } user } && await kicks.KickedUntilAsync(user) is null)
        {
            context.Succeed(requirement);
        }
    }
}
