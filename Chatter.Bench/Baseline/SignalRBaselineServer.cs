using System.Net;
using Chatter.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chatter.Bench.Baseline;

/// <summary>
/// The reference for Chatter's <c>/hubs/chat</c>: a plain ASP.NET Core SignalR chat server with no store, as a .NET team
/// would write it. <c>POST /api/token</c> (Chatter's request and answer shapes) gives a bearer token for a user of the
/// users file; <c>/hubs/chat</c> is <see cref="SignalRBaselineHub"/> behind that token, with SignalR's defaults
/// (default lifetime manager, JSON protocol, transport buffers) and no logging. The bench's SignalR clients take the
/// same path against it as against Chatter.
/// </summary>
internal sealed class SignalRBaselineServer : IAsyncDisposable
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(1);

    private readonly WebApplication app;

    private SignalRBaselineServer(WebApplication app, Uri httpUri)
    {
        this.app = app;
        HttpUri = httpUri;
    }

    /// <summary>The server's root: <c>http://HOST:PORT/</c> (what <c>--baseline-url</c> takes, as <c>ws://HOST:PORT</c> too).</summary>
    public Uri HttpUri { get; }

    /// <summary>Where SignalR clients connect: <c>http://HOST:PORT/hubs/chat</c>.</summary>
    public Uri HubUri => new(HttpUri, "/hubs/chat");

    /// <summary>Starts on <paramref name="address"/>:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<SignalRBaselineServer> StartAsync(IPAddress address, int port, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        builder.Services.AddSingleton(new SignalRBaselineTokens(users));
        builder.Services.AddAuthentication(SignalRBaselineAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SignalRBaselineAuthenticationHandler>(SignalRBaselineAuthenticationHandler.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        builder.Services.AddSignalR();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHub<SignalRBaselineHub>("/hubs/chat").RequireAuthorization();
        app.MapPost("/api/token", IssueTokenAsync);
        await app.StartAsync(cancellationToken);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new SignalRBaselineServer(app, new Uri($"http://{bound.Authority}/"));
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext context, SignalRBaselineTokens tokens)
    {
        var request = await context.Request.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenRequest, context.RequestAborted);
        return tokens.Issue(request?.Username, request?.Password) is { } token
            ? Results.Json(new TokenResponse(token, DateTimeOffset.UtcNow + TokenLifetime), ProtocolJsonContext.Default.TokenResponse)
            : Results.Json(new ErrorResponse("invalid credentials"), ProtocolJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status401Unauthorized);
    }
}
