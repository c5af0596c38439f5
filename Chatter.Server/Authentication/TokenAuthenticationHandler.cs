using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>
/// Authenticates hub requests with a token from <see cref="TokenService"/>: the <c>Authorization: Bearer</c>
/// header, or the <c>access_token</c> query parameter that browsers' WebSocket and SSE requests must use.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens,
    UserDirectory users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ChatterToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header["Bearer ".Length..].Trim();
        }
        else if (Request.Query.TryGetValue("access_token", out var query))
        {
            token = query.ToString();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // A user removed from users.json loses its hub access at once, even with a token that has not expired.
        if (!tokens.TryValidate(token, out var user) || !users.Exists(user!))
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid or expired token"));
        }

        var principal = UserDirectory.CreatePrincipal(user!, SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
