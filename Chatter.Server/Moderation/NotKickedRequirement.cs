using Microsoft.AspNetCore.Authorization;

namespace Chatter.Server.Moderation;

/// <summary>
/// The authorization policy <see cref="PolicyName"/>: an authenticated user who is not kicked now
/// (<see cref="NotKickedHandler"/>). A token issued before a kick opens nothing during it: the hub's negotiate and
/// connect requests (and the admin endpoint) answer 403.
/// </summary>
public sealed class NotKickedRequirement : IAuthorizationRequirement
{
    /// <summary>The policy's name, for <c>RequireAuthorization</c>.</summary>
    public const string PolicyName = "not-kicked";
}
