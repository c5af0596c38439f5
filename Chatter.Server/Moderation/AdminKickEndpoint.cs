using System.Text.Json;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.Http.Features;

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
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        KickRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(ProtocolJsonContext.Default.KickRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            return Error(StatusCodes.Status400BadRequest, FrameError.InvalidJson);
        }
        catch (InvalidOperationException)
        {
            // ReadFromJsonAsync: the request is not JSON (no or another content type).
            return Error(StatusCodes.Status400BadRequest, "the body must be JSON (Content-Type: application/json)");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "the body is too large");
        }

        if (request?.User is not { } user)
        {
            return Error(StatusCodes.Status400BadRequest, "user is required");
        }

        var (kicked, refusal) = await moderator.KickAsync(context.User.Identity?.Name, user, "http");
        return refusal switch
        {
            null => Results.Json(kicked, ProtocolJsonContext.Default.KickResponse),
            FrameError.UnknownUser => Error(StatusCodes.Status404NotFound, refusal),
            _ => Error(StatusCodes.Status403Forbidden, refusal),
        };
    }

    private static IResult Error(int status, string reason)
        => Results.Json(new ErrorResponse(reason), ProtocolJsonContext.Default.ErrorResponse, statusCode: status);
}
