using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.Delivery;
using Chatter.Server.Moderation;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RedisLifetimeManager = Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisHubLifetimeManager<Chatter.Server.Hubs.ChatHub>;

namespace Chatter.Server.Hubs;

/// <summary>The chat hub: its registration (SignalR, presence, the lifetime manager, drain at stop), <c>/hubs/chat</c> and <c>/api/presence</c>.</summary>
public static class HubExtensions
{
    /// <summary>
    /// SignalR with the hub's log context as its outermost filter (the limits add theirs after it), stateful reconnect's
    /// buffer (<c>Chatter:SignalR</c>), presence (in Redis across nodes when <c>Chatter:Redis</c> is configured, else this
    /// node's), the SignalR drain at stop, and the real lifetime manager (in-process, or the Redis backplane) wrapped so
    /// that every delivery goes through a connection's queue.
    /// </summary>
    public static WebApplicationBuilder AddChatterHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        if (redis.IsConfigured)
        {
            // Presence across nodes: counts in Redis, dead nodes swept by the living.
            services.AddSingleton<RedisPresence>();
            services.AddSingleton<IPresence>(provider => provider.GetRequiredService<RedisPresence>());
            services.AddHostedService(provider => provider.GetRequiredService<RedisPresence>());
        }
        else
        {
            services.AddSingleton<IPresence, PresenceTracker>();
        }

        services.AddOptions<SignalROptions>().BindConfiguration(SignalROptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignalROptions>, SignalROptionsValidator>();
        services.AddSingleton<HubLogContextFilter>();
        // Outermost first: the log context covers the limits' own events.
        services.AddSignalR(hub => hub.AddFilter<HubLogContextFilter>());
        // Stateful reconnect's buffer lies under Chatter's own queue: every write to a SignalR connection (broadcasts,
        // replay, answers, presence) reaches HubConnectionContext.WriteAsync from the connection's writer loop or from
        // the hub's dispatcher, and that is where SignalR keeps and numbers what it may have to send again.
        services.AddOptions<HubOptions>().Configure<IOptions<SignalROptions>>(
            (hub, signalR) => hub.StatefulReconnectBufferSize = signalR.Value.StatefulReconnectBufferBytes);
        services.AddSingleton<SignalRShutdown>();
        services.AddSingleton<IHubConnectionObserver>(provider => provider.GetRequiredService<SignalRShutdown>());
        services.AddHostedService(provider => provider.GetRequiredService<SignalRShutdown>());

        // Every broadcast, from raw and SignalR connections alike, crosses Redis to every node when it is configured.
        var inner = redis.IsConfigured ? typeof(RedisLifetimeManager) : typeof(DefaultHubLifetimeManager<ChatHub>);
        services.TryAddSingleton(inner);
        services.AddSingleton<HubLifetimeManager<ChatHub>>(provider => ActivatorUtilities.CreateInstance<DeliveryLifetimeManager<ChatHub>>(
            provider, (HubLifetimeManager<ChatHub>)provider.GetRequiredService(inner)));
        return builder;
    }

    /// <summary>
    /// Throws unless <see cref="AddChatterHub"/> came first: SignalR turns the WebSocket keep-alive off when it is added, and
    /// its filters run in the order they are added, so what configures either must follow it.
    /// </summary>
    public static void RequireChatterHub(this IServiceCollection services, string caller)
    {
        if (!services.Any(service => service.ServiceType == typeof(HubLifetimeManager<ChatHub>)))
        {
            throw new InvalidOperationException($"{nameof(AddChatterHub)} must come before {caller}");
        }
    }

    /// <summary><c>/hubs/chat</c> for SignalR clients, bearer token of a user who is not kicked required (403 for a kicked one), stateful reconnect as <see cref="SignalROptions"/> say.</summary>
    public static WebApplication MapChatterHub(this WebApplication app)
    {
        var delivery = app.Services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var signalR = app.Services.GetRequiredService<IOptions<SignalROptions>>().Value;
        var hub = app.MapHub<ChatHub>("/hubs/chat", connection =>
        {
            // What the server buffers towards one SignalR client before its writes wait (then its send queue fills, bounded).
            connection.TransportMaxBufferSize = delivery.OutboundBufferBytes;
            // A client that asks for it (WithStatefulReconnect) resumes the same connection after its WebSocket drops.
            connection.AllowStatefulReconnects = signalR.StatefulReconnect;
        }).RequireAuthorization(NotKickedRequirement.PolicyName);
        SignalRShutdown.TrackRequests(hub, app.Services.GetRequiredService<SignalRShutdown>());
        SignalRClientScope.Mark(hub);
        return app;
    }

    /// <summary><c>GET /api/presence</c>: who is online, bearer token required.</summary>
    public static IEndpointConventionBuilder MapChatterPresence(this WebApplication app)
        => app.MapGet("/api/presence", PresenceEndpoint.GetAsync).RequireAuthorization();
}
