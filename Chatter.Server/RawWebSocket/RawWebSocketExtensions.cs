using Chatter.Server.Configuration;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chatter.Server.RawWebSocket;

/// <summary>The original <c>/ws/chat</c> protocol over the hub: its registration and its branch of the pipeline.</summary>
public static class RawWebSocketExtensions
{
    /// <summary>
    /// The raw protocol (chatter-raw, for <c>/ws/chat</c> only), the message ids read from its records, the login and
    /// the endpoint; the hub's largest message made room for a raw frame. After <see cref="HubExtensions.AddChatterHub"/>.
    /// </summary>
    public static WebApplicationBuilder AddChatterRawWebSocket(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.RequireChatterHub(nameof(AddChatterRawWebSocket));
        var chatter = builder.Configuration.Read<ChatterOptions>(ChatterOptions.Section);
        // A raw frame may be MaxFrameBytes plus the in-process frame header; a SignalR message as large.
        services.Configure<HubOptions>(hub => hub.MaximumReceiveMessageSize = chatter.MaxFrameBytes + RawFrameBatcher.HeaderLength);
        services.AddSingleton<RawHubProtocol>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawHubProtocol>(provider => provider.GetRequiredService<RawHubProtocol>()));
        // SignalR's protocols write the hub's answers as SignalR clients expect them; chatter-raw is for /ws/chat only.
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, RawProtocolResolver>());
        services.AddSingleton<IChatMessageIds, RawMessageIds>();
        services.AddSingleton<RawLogin>();
        services.AddSingleton<RawChatEndpoint>();
        return builder;
    }

    /// <summary>
    /// <c>/ws/chat</c>, a branch of the pipeline rather than an endpoint: the raw clients' login frame is their
    /// authentication, so it comes before authentication, authorization and the endpoints, and an idle raw connection
    /// holds none of their per-request state (a service scope, an authentication handler and its result, two middleware
    /// frames: about 1.3 KB). After <c>UseWebSockets</c>.
    /// </summary>
    public static WebApplication MapChatterRawWebSocket(this WebApplication app)
    {
        var raw = app.Services.GetRequiredService<RawChatEndpoint>();
        app.MapWhen(RawChatEndpoint.Handles, branch => branch.Run(raw.HandleAsync));
        return app;
    }
}
