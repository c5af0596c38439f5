using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Hosting;

namespace Chatter.Server.Moderation;

/// <summary>
/// <c>POST /api/admin/kick</c> with an admin's bearer token and <c>{"user": "bob"}</c>: 200 with the kick
/// (<see cref="KickResponse"/>); 401 without a valid token (the authorization's answer), 403 <c>not allowed</c> for a
/// user who is not an admin, 400 for a body that is not <c>{"user": "..."}</c>, 404 <c>unknown user</c>.
/// </summary>
internal static class AdminKickEndpoint
{
    private const int MaxBodyBytes = 4 * 1024;

    public static async Task<IResult> KickAsync(HttpContext context, Moderator moderator)
    {
        var (request, refusal) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.KickRequest, MaxBodyBytes);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request?.User is not { } user)
        {
            return JsonBody.Error(StatusCodes.Status400BadRequest, "user is required");
        }

        var (kicked, reason) = await moderator.KickAsync(context.User.Identity?.Name, user, "http");
        return reason switch
        {
            null => Results.Json(kicked, ProtocolJsonContext.Default.KickResponse),
            FrameError.UnknownUser => JsonBody.Error(StatusCodes.Status404NotFound, reason),
            _ => JsonBody.Error(StatusCodes.Status403Forbidden, reason),
        };
    }
}
