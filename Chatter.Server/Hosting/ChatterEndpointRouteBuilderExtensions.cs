using Chatter.Protocol;
using Chatter.Server.Authentication;
using Chatter.Server.Hosting;
using Chatter.Server.Health;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serilog;

namespace Chatter.Server.Hosting;

/// <summary>Maps Chatter's endpoints.</summary>
public static class ChatterEndpointRouteBuilderExtensions
{
    /// <summary><c>/ws/chat</c> (raw), <c>/hubs/chat</c> (SignalR), <c>POST /api/token</c>, <c>/healthz</c>, <c>/readyz</c> and the chat page at <c>/</c>.</summary>
    public static WebApplication MapChatter(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ChatterOptions>>().Value;
        // First: everything after it (request log, origin policy, login throttle) sees the client's address.
        app.UseChatterForwardedHeaders();
        // This host's logger, not the static one (which the tests' several hosts share and which is only the bootstrap logger).
        app.UseSerilogRequestLogging(requests => requests.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        app.UseChatPage();
        if (options.AllowedOrigins.Length > 0)
        {
            app.UseMiddleware<OriginPolicyMiddleware>();
            app.UseCors();
        }

        app.UseWebSockets();
        // The raw clients' login frame is their authentication: /ws/chat branches off before authentication,
        // authorization and the endpoints, so an idle raw connection holds none of their per-request state (a service
        // scope, an authentication handler and its result, two middleware frames: about 1.3 KB).
        var raw = app.Services.GetRequiredService<RawChatEndpoint>();
        app.MapWhen(RawChatEndpoint.Handles, branch => branch.Run(raw.HandleAsync));
        app.UseAuthentication();
        app.UseAuthorization();

        var hub = app.MapHub<ChatHub>("/hubs/chat", connection =>
        {
            // What the server buffers towards one SignalR client before its writes wait (then its send queue fills, bounded).
            connection.TransportMaxBufferSize = options.Limits.OutboundBufferBytes;
        }).RequireAuthorization();
        SignalRShutdown.TrackRequests(hub, app.Services.GetRequiredService<SignalRShutdown>());
        SignalRClientScope.Mark(hub);
        app.MapPost("/api/token", TokenEndpoint.IssueAsync);
        app.MapGet("/api/presence", PresenceEndpoint.GetAsync).RequireAuthorization();
        // /healthz: liveness, the process answers and has not failed itself (no dependency is asked); /readyz: readiness,
        // every check (store, backplane, not draining).
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HistoryWriterHealthCheck.Liveness) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        if (options.Metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
        return app;
    }
}
