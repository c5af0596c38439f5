using Chatter.Server.Authentication;
using Chatter.Server.Hosting;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Serilog;

namespace Chatter.Server.Hosting;

/// <summary>Maps Chatter's endpoints.</summary>
public static class ChatterEndpointRouteBuilderExtensions
{
    /// <summary><c>/ws/chat</c> (raw), <c>/hubs/chat</c> (SignalR), <c>POST /api/token</c>, <c>/healthz</c> and the chat page at <c>/</c>.</summary>
    public static WebApplication MapChatter(this WebApplication app)
    {
        app.UseSerilogRequestLogging();
        app.UseChatPage();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();

        app.Map("/ws/chat", (HttpContext context, RawChatEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapHub<ChatHub>("/hubs/chat").RequireAuthorization();
        app.MapPost("/api/token", TokenEndpoint.IssueAsync);
        app.MapHealthChecks("/healthz");
        return app;
    }
}
