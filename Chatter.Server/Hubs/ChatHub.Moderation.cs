using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>The hub's admin actions (<see cref="Moderation.Moderator"/> holds their rules and logs them).</summary>
public sealed partial class ChatHub
{
    /// <summary>
    /// Kicks <paramref name="user"/> (callers listed in <c>Chatter:Admins</c> only): every connection of that user on
    /// every node is closed and its logins are refused for <c>Chatter:KickMinutes</c>; returns the user and when the kick
    /// ends. Refused with <c>not allowed</c> for a caller who is not an admin, <c>unknown user</c> for a name not in the
    /// users file. Raw clients ask with <c>{"kick": "bob", "ref": "k1"}</c>.
    /// </summary>
    public async Task<HubAnswer<KickResponse>> Kick(string? user)
    {
        var (kicked, refusal) = await moderator.KickAsync(Context.UserIdentifier, user, Transport);
        return refusal is null ? kicked! : new HubRefusal(refusal);
    }
}
