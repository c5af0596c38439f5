using Chatter.Server.Authentication;
using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.Delivery;
using Chatter.Server.Diagnostics;
using Chatter.Server.Health;
using Chatter.Server.History;
using Chatter.Server.Hosting;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Chatter.Server.Moderation;
using Chatter.Server.RawWebSocket;

namespace Chatter.Server;

/// <summary>
/// Chatter's table of contents: one registration per component (each in its folder, with its options), then every
/// middleware and endpoint in the order a request meets them. <c>Program.cs</c> and the tests' server start through it.
/// </summary>
public static class ChatterApp
{
    /// <summary>Registers every component. The order matters where noted.</summary>
    public static WebApplicationBuilder Configure(WebApplicationBuilder builder)
    {
        builder.AddChatterOptions();             // Configuration/: Chatter:*, the clock, the drain time
        builder.AddChatterDiagnostics();         // Diagnostics/: Serilog (Chatter:Logging), metrics (Chatter:Metrics)
        builder.AddChatterAuthentication();      // Authentication/: users file, tokens (Chatter:Token), revocation
        builder.AddChatterBackplane();           // Backplane/: the Redis connection (Chatter:Redis), its health check
        builder.AddChatterHistory();             // History/: the store (Chatter:History), its health checks
        builder.AddChatterDelivery();            // Delivery/: send queues, outbound budget, send timeout
        builder.AddChatterHub();                 // Hubs/: SignalR, presence, lifetime manager; before the two below
        builder.AddChatterLimits();              // Limits/: logins, connections, message rate (Chatter:Limits), keep-alives, Kestrel, CORS
        builder.AddChatterModeration();          // Moderation/: Chatter:Admins, Chatter:KickMinutes, the kick list; after the limits
        builder.AddChatterRawWebSocket();        // RawWebSocket/: the chatter-raw protocol for /ws/chat
        builder.AddChatterHealth();              // Health/: the shutdown check, after the components' own
        builder.AddChatterForwardedHeaders();    // Hosting/: Chatter:ForwardedHeaders
        return builder;
    }

    /// <summary>The pipeline, in order.</summary>
    public static WebApplication Map(WebApplication app)
    {
        // First: everything after it (request log, origin policy, login throttle) sees the client's address.
        app.UseChatterForwardedHeaders();
        app.UseChatterRequestLogging();
        app.UseChatPage();                       // GET / and the page's files
        app.UseChatterOriginPolicy();            // Chatter:AllowedOrigins: 403, then CORS
        app.UseWebSockets();
        app.MapChatterRawWebSocket();            // /ws/chat: branches off here, before authentication
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapChatterHub();                     // /hubs/chat
        app.MapChatterToken();                   // POST /api/token
        app.MapChatterPresence();                // GET /api/presence
        app.MapChatterModeration();              // POST /api/admin/kick
        app.MapChatterHealth();                  // /healthz, /readyz
        app.MapChatterMetrics();                 // /metrics, when enabled
        return app;
    }
}
