using Chatter.Protocol;
using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// <c>Chatter:AllowedOrigins</c>: when the list is set, a browser request (one with an <c>Origin</c> header) from an
/// origin that is neither listed nor this server's own is refused with 403 before it reaches a WebSocket upgrade,
/// the hub or the token endpoint. Programs that send no <c>Origin</c> are not affected.
/// </summary>
internal sealed class OriginPolicyMiddleware(RequestDelegate next, IOptions<ChatterOptions> options, ILogger<OriginPolicyMiddleware> logger)
{
    private readonly HashSet<string> allowed = new(options.Value.AllowedOrigins.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (allowed.Count == 0 || origin.Length == 0 || allowed.Contains(Normalize(origin)) || IsSameOrigin(context.Request, origin))
        {
            return next(context);
        }

        LimitsLog.OriginRefused(logger, context.Request.Path, origin);
        return Results.Json(new ErrorResponse("origin not allowed"), ProtocolJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status403Forbidden)
            .ExecuteAsync(context);
    }

    private static bool IsSameOrigin(HttpRequest request, string origin)
        => string.Equals(Normalize(origin), $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string origin) => origin.TrimEnd('/');
}
