using System.Globalization;
using Chatter.Server.Diagnostics;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Hosting;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary><c>POST /api/token</c>: users.json credentials in, a bearer token for the hub out.</summary>
internal static class TokenEndpoint
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<IResult> IssueAsync(HttpContext context, UserDirectory users, TokenService tokens, ICredentialCheck credentials, ChatterMetrics metrics, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(TokenEndpoint).FullName!);
        var (request, refusal) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.TokenRequest, MaxBodyBytes);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request?.Username is null || request.Password is null)
        {
            return Error(StatusCodes.Status400BadRequest, "username and password are required");
        }

        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (await credentials.CheckAsync(remote, request.Username, request.Password) is { } refused)
        {
            Log.LoginRefused(logger, users.LoggableName(request.Username), remote, "token", refused.Reason);
            metrics.LoginRefused("token", refused.Reason);
            if (refused.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            return Error(
                refused.Reason switch
                {
                    FrameError.TooManyAttempts => StatusCodes.Status429TooManyRequests,
                    FrameError.ServerBusy => StatusCodes.Status503ServiceUnavailable,
                    FrameError.Kicked => StatusCodes.Status403Forbidden,
                    _ => StatusCodes.Status401Unauthorized,
                },
                refused.Reason);
        }

        var (token, expiresAt) = tokens.Issue(request.Username);
        Log.LoginOk(logger, request.Username, remote, "token");
        metrics.LoginOk("token");
        return Results.Json(new TokenResponse(token, expiresAt), ProtocolJsonContext.Default.TokenResponse);
    }

    private static IResult Error(int status, string reason) => JsonBody.Error(status, reason);
}
