using System.Globalization;
using System.Text.Json;
using Chatter.Server.Diagnostics;
using Chatter.Server.Limits;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.Http.Features;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary><c>POST /api/token</c>: users.json credentials in, a bearer token for the hub out.</summary>
internal static class TokenEndpoint
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<IResult> IssueAsync(HttpContext context, UserDirectory users, TokenService tokens, LoginThrottle throttle, ChatterMetrics metrics, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(TokenEndpoint).FullName!);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        TokenRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenRequest, context.RequestAborted);
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

        if (request?.Username is null || request.Password is null)
        {
            return Error(StatusCodes.Status400BadRequest, "username and password are required");
        }

        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (throttle.Check(remote, request.Username) is { } retryAfter)
        {
            // Refused before the password is checked: a guess past the limit costs no hashing and tells nothing.
            Log.LoginRefused(logger, users.LoggableName(request.Username), remote, "token", FrameError.TooManyAttempts);
            metrics.LoginRefused("token", FrameError.TooManyAttempts);
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status429TooManyRequests, FrameError.TooManyAttempts);
        }

        if (!users.Verify(request.Username, request.Password))
        {
            throttle.Failed(remote, request.Username);
            Log.LoginRefused(logger, users.LoggableName(request.Username), remote, "token", FrameError.InvalidCredentials);
            metrics.LoginRefused("token", FrameError.InvalidCredentials);
            return Error(StatusCodes.Status401Unauthorized, FrameError.InvalidCredentials);
        }

        var (token, expiresAt) = tokens.Issue(request.Username);
        Log.LoginOk(logger, request.Username, remote, "token");
        metrics.LoginOk("token");
        return Results.Json(new TokenResponse(token, expiresAt), ProtocolJsonContext.Default.TokenResponse);
    }

    private static IResult Error(int status, string reason)
        => Results.Json(new ErrorResponse(reason), ProtocolJsonContext.Default.ErrorResponse, statusCode: status);
}
