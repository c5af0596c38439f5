using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Moderation.ModerationLog;

namespace Chatter.Server.Moderation;

/// <summary>
/// The admin actions, with one set of rules for every way in (the raw <c>{"kick"}</c> frame, the hub's <c>Kick</c>,
/// <c>POST /api/admin/kick</c>): only a user listed in <c>Chatter:Admins</c> may act, on a user of the users file
/// (themselves included); every action, done or refused, is logged with who, what and the target.
/// </summary>
public sealed class Moderator(IKickList kicks, UserDirectory users, IOptions<ModerationOptions> options, TimeProvider time, ILogger<Moderator> logger)
{
    /// <summary>The action's name in the log.</summary>
    public const string KickAction = "kick";

    /// <summary>The name in the log of a delete of someone else's message.</summary>
    public const string DeleteAction = "delete";

    /// <summary>True when <paramref name="user"/> may delete anyone's message: a user of the users file listed in <c>Chatter:Admins</c>.</summary>
    public bool MayDeleteAnyMessage(string? user) => options.Value.IsAdmin(user) && users.Exists(user!);

    /// <summary>
    /// Logs a delete that was an admin action: done by <paramref name="user"/> on someone else's message (as an admin),
    /// or refused (<paramref name="refusal"/>: someone else's message and the user is no admin, or an admin's delete of
    /// a message there is none of). A user's delete of their own message is no admin action and is not logged here.
    /// </summary>
    public void LogMessageDelete(string user, long id, string? author, string transport, string? refusal)
    {
        if (refusal is null)
        {
            Log.AdminMessageAction(logger, DeleteAction, user, id, author!, transport);
        }
        else
        {
            Log.AdminMessageActionRefused(logger, DeleteAction, user, id, author, transport, refusal);
        }
    }

    /// <summary>
    /// <paramref name="admin"/> kicks <paramref name="target"/> (over <paramref name="transport"/>, for the log): every
    /// connection of the target on every node is closed and its logins are refused for <c>Chatter:KickMinutes</c>.
    /// Refused with <see cref="FrameError.NotAllowed"/> for a user who is not an admin, <see cref="FrameError.UnknownUser"/>
    /// for a target who is not a user.
    /// </summary>
    public async ValueTask<(KickResponse? Kicked, string? Refusal)> KickAsync(string? admin, string? target, string transport)
    {
        var settings = options.Value;
        if (!settings.IsAdmin(admin) || !users.Exists(admin!))
        {
            Log.AdminActionRefused(logger, KickAction, admin is null ? null : users.LoggableName(admin), target is null ? null : users.LoggableName(target), transport, FrameError.NotAllowed);
            return (null, FrameError.NotAllowed);
        }

        if (target is null || !users.Exists(target))
        {
            Log.AdminActionRefused(logger, KickAction, admin, null, transport, FrameError.UnknownUser);
            return (null, FrameError.UnknownUser);
        }

        var until = time.GetUtcNow() + TimeSpan.FromMinutes(settings.KickMinutes);
        await kicks.KickAsync(target, until);
        Log.AdminAction(logger, KickAction, admin!, target, transport, until);
        return (new KickResponse(target, until), null);
    }
}
