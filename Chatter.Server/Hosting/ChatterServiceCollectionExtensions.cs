using Chatter.Server.Authentication;
using Chatter.Server.Backplane;
using Chatter.Server.Health;
using Chatter.Server.History;
using Chatter.Server.Hubs;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serilog;

namespace Chatter.Server.Hosting;

/// <summary>Registers Chatter's parts.</summary>
public static class ChatterServiceCollectionExtensions
{
    /// <summary>Options, logging, users, tokens, the hub and its raw protocol, history and health checks.</summary>
    public static WebApplicationBuilder AddChatter(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // preserveStaticLogger: each host (several run side by side in the tests) has its own logger.
        services.AddSerilog(
            (provider, logger) => logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(provider).Enrich.FromLogContext(),
            preserveStaticLogger: true);

        services.AddOptions<ChatterOptions>().BindConfiguration(ChatterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatterOptions>, ChatterOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<UserDirectory>();
        services.AddHostedService(provider => provider.GetRequiredService<UserDirectory>());
        services.AddSingleton<TokenService>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();

        var configured = builder.Configuration.GetSection(ChatterOptions.Section).Get<ChatterOptions>() ?? new ChatterOptions();
        services.AddSingleton<IValidateOptions<ChatterOptions>, RedisOptionsValidator>();
        // SIGTERM / Ctrl-C: connections close and accepted messages finish storing within the drain time.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(configured.ShutdownDrainSeconds));
        if (configured.Redis.IsConfigured)
        {
            services.AddRedisBackplane();
        }

        if (configured.HistoryStore == "memory")
        {
            services.AddSingleton<IChatHistory, InMemoryChatHistory>();
        }
        else if (configured.HistoryStore == "redis")
        {
            services.AddSingleton<RedisChatHistory>();
            services.AddSingleton<IChatHistory>(provider => provider.GetRequiredService<RedisChatHistory>());
            services.AddHostedService(provider => provider.GetRequiredService<RedisChatHistory>());
        }
        else
        {
            // Opened (and migrated, or refused) at start, before Kestrel takes connections; drained at stop.
            services.AddSingleton<SqliteChatHistory>();
            services.AddSingleton<IChatHistory>(provider => provider.GetRequiredService<SqliteChatHistory>());
            services.AddHostedService(provider => provider.GetRequiredService<SqliteChatHistory>());
        }

        services.AddSignalR(hub =>
        {
            // A raw frame may be MaxFrameBytes plus the in-process frame header; a SignalR message as large.
            hub.MaximumReceiveMessageSize = configured.MaxFrameBytes + RawHubProtocol.HeaderLength;
        });
        services.AddSingleton<RawHubProtocol>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawHubProtocol>(provider => provider.GetRequiredService<RawHubProtocol>()));
        // The real lifetime manager (in-process, or the Redis backplane), wrapped so that every delivery passes a DeliveryContext.
        var lifetimeManager = configured.Redis.IsConfigured ? typeof(RedisHubLifetimeManager<ChatHub>) : typeof(DefaultHubLifetimeManager<ChatHub>);
        services.TryAddSingleton(lifetimeManager);
        services.AddSingleton<HubLifetimeManager<ChatHub>>(provider => ActivatorUtilities.CreateInstance<DeliveryLifetimeManager>(
            provider, (HubLifetimeManager<ChatHub>)provider.GetRequiredService(lifetimeManager)));
        services.AddSingleton<SignalRShutdown>();
        services.AddHostedService(provider => provider.GetRequiredService<SignalRShutdown>());
        services.AddSingleton<RawChatEndpoint>();

        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history");
        return builder;
    }
}
