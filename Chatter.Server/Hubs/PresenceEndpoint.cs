using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary><c>GET /api/presence</c> (with a token): <c>{"users":[...]}</c>, or 503 while the shared presence cannot be read.</summary>
internal static class PresenceEndpoint
{
    public static async Task<IResult> GetAsync(IPresence presence)
    {
        try
        {
            return Results.Json(new PresenceResponse(await presence.OnlineAsync()), ProtocolJsonContext.Default.PresenceResponse);
        }
        catch (PresenceUnavailableException ex)
        {
            return Results.Json(new ErrorResponse(ex.Message), ProtocolJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
