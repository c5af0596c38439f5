using System.Globalization;
using System.Text.Json;
using Chatter.Server.Diagnostics;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.Http.Features;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary><c>POST /api/token</c>: users.json credentials in, a bearer token for the hub out.</summary>
internal static class TokenEndpoint
{
    private const int MaxBodyBytes = 16 * 1024;

    public static async Task<IResult> IssueAsync(HttpContext context, UserDirectory users, TokenService tokens, ICredentialCheck credentials, ChatterMetrics metrics, ILoggerFactory loggers)
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
        if (await credentials.CheckAsync(remote, request.Username, request.Password) is { } refusal)
        {
            Log.LoginRefused(logger, users.LoggableName(request.Username), remote, "token", refusal.Reason);
            metrics.LoginRefused("token", refusal.Reason);
            if (refusal.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            return Error(
                refusal.Reason switch
                {
                    FrameError.TooManyAttempts => StatusCodes.Status429TooManyRequests,
                    FrameError.ServerBusy => StatusCodes.Status503ServiceUnavailable,
                    FrameError.Kicked => StatusCodes.Status403Forbidden,
                    _ => StatusCodes.Status401Unauthorized,
                },
                refusal.Reason);
        }

        var (token, expiresAt) = tokens.Issue(request.Username);
        Log.LoginOk(logger, request.Username, remote, "token");
        metrics.LoginOk("token");
        return Results.Json(new TokenResponse(token, expiresAt), ProtocolJsonContext.Default.TokenResponse);
    }

    private static IResult Error(int status, string reason)
        => Results.Json(new ErrorResponse(reason), ProtocolJsonContext.Default.ErrorResponse, statusCode: status);
}
