using Chatter.Server.Authentication;
using Chatter.Server.Hosting;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Serilog;

namespace Chatter.Server.Hosting;

/// <summary>Maps Chatter's endpoints.</summary>
public static class ChatterEndpointRouteBuilderExtensions
{
    /// <summary><c>/ws/chat</c> (raw), <c>/hubs/chat</c> (SignalR), <c>POST /api/token</c> and <c>/healthz</c>.</summary>
    public static WebApplication MapChatter(this WebApplication app)
    {
        app.UseSerilogRequestLogging();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();

        app.Map("/ws/chat", (HttpContext context, RawChatEndpoint endpoint) => endpoint.HandleAsync(context));
        var hub = app.MapHub<ChatHub>("/hubs/chat").RequireAuthorization();
        SignalRShutdown.TrackRequests(hub, app.Services.GetRequiredService<SignalRShutdown>());
        app.MapPost("/api/token", TokenEndpoint.IssueAsync);
        app.MapHealthChecks("/healthz");
        return app;
    }
}
