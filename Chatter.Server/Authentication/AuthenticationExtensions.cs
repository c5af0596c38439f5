using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.History;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>Users, tokens and revocation (<c>Chatter:UsersFile</c>, <c>Chatter:Token</c>): their registration and <c>POST /api/token</c>.</summary>
public static class AuthenticationExtensions
{
    /// <summary>
    /// The users file and its reloads, the token service and the bearer scheme that checks tokens, the registry of live
    /// connections that revocation cuts off, and <c>Chatter:Token</c> with the signing key's rules.
    /// </summary>
    public static WebApplicationBuilder AddChatterAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        var history = builder.Configuration.Read<HistoryOptions>(HistoryOptions.Section);
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        services.AddSingleton<IValidateOptions<TokenOptions>>(new SigningKeyValidator(redis, history));

        services.AddSingleton<UserDirectory>();
        services.AddHostedService(provider => provider.GetRequiredService<UserDirectory>());
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserRevocation>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();
        return builder;
    }

    /// <summary><c>POST /api/token</c>: credentials in, a bearer token for the hub out (<see cref="TokenEndpoint"/>).</summary>
    public static IEndpointConventionBuilder MapChatterToken(this WebApplication app)
        => app.MapPost("/api/token", TokenEndpoint.IssueAsync);
}
