using System.Globalization;
using Chatter.Server.Authentication;
using Chatter.Server.Backplane;
using Chatter.Server.Delivery;
using Chatter.Server.Diagnostics;
using Chatter.Server.Health;
using Chatter.Server.History;
using Chatter.Server.Hubs;
using Chatter.Server.Limits;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Formatting.Compact;

namespace Chatter.Server.Hosting;

/// <summary>Registers Chatter's parts.</summary>
public static class ChatterServiceCollectionExtensions
{
    /// <summary>The console layout of <c>Chatter:Logging:Format=text</c>: time, level, message, then the event's properties.</summary>
    public const string TextLogTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>Options, logging, users, tokens, the hub and its raw protocol, history and health checks.</summary>
    public static WebApplicationBuilder AddChatter(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        var configured = builder.Configuration.GetSection(ChatterOptions.Section).Get<ChatterOptions>() ?? new ChatterOptions();
        // preserveStaticLogger: each host (several run side by side in the tests) has its own logger.
        var logFormat = configured.Logging.Format;
        services.AddSerilog(
            (provider, logger) =>
            {
                logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(provider).Enrich.FromLogContext();
                _ = logFormat switch
                {
                    "json" => logger.WriteTo.Console(new CompactJsonFormatter()),
                    // Control characters in user-supplied values are escaped: no client text can forge a log line.
                    "text" => logger.WriteTo.Console(new EscapingTextFormatter(TextLogTemplate, CultureInfo.InvariantCulture)),
                    _ => logger,
                };
            },
            preserveStaticLogger: true);
        CacheLoggers(services);

        services.AddOptions<ChatterOptions>().BindConfiguration(ChatterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatterOptions>, ChatterOptionsValidator>();
        services.AddSingleton<IValidateOptions<ChatterOptions>, SigningKeyValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<UserDirectory>();
        services.AddHostedService(provider => provider.GetRequiredService<UserDirectory>());
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserRevocation>();
        services.AddSingleton<RevocationHubFilter>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();

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

        services.AddMetrics();
        services.AddSingleton<ChatterMetrics>();
        if (configured.Redis.IsConfigured)
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
        if (configured.Metrics.Enabled)
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ChatterMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "System.Runtime")
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        }

        AddLoginLimits(services, configured.Redis.IsConfigured);
        if (configured.Redis.IsConfigured)
        {
            // Connections per user and the message rate per user, on every node (README, Security).
            services.AddSingleton<RedisConnectionCounts>();
            services.AddHostedService(provider => provider.GetRequiredService<RedisConnectionCounts>());
            services.AddSingleton<RedisMessageBudget>();
        }

        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton<IMessageRate, MessageRate>();
        services.AddSingleton<ChatHubLimitsFilter>();
        services.AddSingleton<HubLogContextFilter>();
        services.AddSignalR(hub =>
        {
            // A raw frame may be MaxFrameBytes plus the in-process frame header; a SignalR message as large.
            hub.MaximumReceiveMessageSize = configured.MaxFrameBytes + RawFrameBatcher.HeaderLength;
            if (configured.Limits.KeepAliveSeconds > 0)
            {
                // Hub pings; a client silent for ping + timeout is taken for dead and dropped.
                hub.KeepAliveInterval = TimeSpan.FromSeconds(configured.Limits.KeepAliveSeconds);
                hub.ClientTimeoutInterval = TimeSpan.FromSeconds(configured.Limits.KeepAliveSeconds + Math.Max(configured.Limits.KeepAliveTimeoutSeconds, configured.Limits.KeepAliveSeconds));
            }

            // Outermost first: the log context covers the limits' own events.
            hub.AddFilter<HubLogContextFilter>();
            hub.AddFilter<ChatHubLimitsFilter>();
            hub.AddFilter<RevocationHubFilter>();
        });
        services.AddSingleton<RawHubProtocol>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawHubProtocol>(provider => provider.GetRequiredService<RawHubProtocol>()));
        // SignalR's protocols write the hub's answers as SignalR clients expect them; chatter-raw is for /ws/chat only.
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, RawProtocolResolver>());
        AddDelivery(services, configured.Limits, configured.Redis.IsConfigured);
        services.AddSingleton<SignalRShutdown>();
        services.AddSingleton<IHubConnectionObserver>(provider => provider.GetRequiredService<SignalRShutdown>());
        services.AddHostedService(provider => provider.GetRequiredService<SignalRShutdown>());
        services.AddSingleton<RawLogin>();
        services.AddSingleton<RawChatEndpoint>();

        ConfigureTransportLimits(builder, configured.Limits);
        if (configured.AllowedOrigins.Length > 0)
        {
            // Pages on the allowed origins may call the token endpoint and the hub's negotiate from the browser.
            services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(configured.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        }

        services.AddHealthChecks()
            .AddCheck<HistoryHealthCheck>("history")
            .AddCheck<HistoryWriterHealthCheck>("history-writer", tags: [HistoryWriterHealthCheck.Liveness])
            .AddCheck<ShutdownHealthCheck>("shutdown");
        builder.AddChatterForwardedHeaders();
        return builder;
    }

    /// <summary>The login throttle and its windows (in Redis when configured, see README, Security), the password-check bound.</summary>
    private static void AddLoginLimits(IServiceCollection services, bool shared)
    {
        services.AddSingleton<RedisFallback>();
        services.AddSingleton<MemoryAttemptWindows>();
        if (shared)
        {
            services.AddSingleton<IAttemptWindows, RedisAttemptWindows>();
        }
        else
        {
            services.AddSingleton<IAttemptWindows>(provider => provider.GetRequiredService<MemoryAttemptWindows>());
        }

        // Without Redis there is no RedisConnection: the addresses are this node's alone.
        services.AddSingleton<KnownAddresses>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<PasswordChecks>();
        services.AddSingleton<CredentialCheck>();
        services.AddSingleton<UnauthenticatedConnections>();
    }

    /// <summary>
    /// Delivery: a bounded send queue per connection with its writer loop, the node's outbound budget, the send timeout,
    /// and the real lifetime manager (in-process, or the Redis backplane) wrapped so that every delivery goes through
    /// a connection's queue.
    /// </summary>
    private static void AddDelivery(IServiceCollection services, LimitsOptions limits, bool redis)
    {
        services.AddSingleton(new DeliverySettings(limits.OutboundBufferMessages, limits.OutboundBufferBytes));
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<OutboundBudget>(provider, limits.OutboundBudgetBytes));
        services.AddSingleton<IChatMessageIds, RawMessageIds>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<SendTimeouts>(provider, TimeSpan.FromSeconds(limits.SendTimeoutSeconds)));
        services.AddHostedService(provider => provider.GetRequiredService<SendTimeouts>());
        var inner = redis ? typeof(RedisHubLifetimeManager<ChatHub>) : typeof(DefaultHubLifetimeManager<ChatHub>);
        services.TryAddSingleton(inner);
        services.AddSingleton<HubLifetimeManager<ChatHub>>(provider => ActivatorUtilities.CreateInstance<DeliveryLifetimeManager<ChatHub>>(
            provider, (HubLifetimeManager<ChatHub>)provider.GetRequiredService(inner)));
    }

    /// <summary>Wraps the logger factory that <c>AddSerilog</c> registered so that it makes one logger per category (<see cref="CachingLoggerFactory"/>).</summary>
    private static void CacheLoggers(IServiceCollection services)
    {
        var serilog = services.Last(service => service.ServiceType == typeof(ILoggerFactory));
        var create = serilog.ImplementationFactory ?? throw new InvalidOperationException("AddSerilog registers its logger factory through a factory method");
        services.Remove(serilog);
        services.AddSingleton<ILoggerFactory>(provider => new CachingLoggerFactory((ILoggerFactory)create(provider)));
    }

    /// <summary>
    /// Kestrel's request limits, set deliberately rather than left to defaults (a chat server needs small headers
    /// and no large bodies), and the WebSocket keep-alive that reaps dead raw peers. <c>Kestrel:Limits:*</c> in
    /// configuration still overrides each of them.
    /// </summary>
    private static void ConfigureTransportLimits(WebApplicationBuilder builder, LimitsOptions limits)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
        });

        builder.Services.Configure<WebSocketOptions>(webSockets =>
        {
            // Ping every KeepAliveSeconds; no pong within KeepAliveTimeoutSeconds aborts the socket.
            webSockets.KeepAliveInterval = TimeSpan.FromSeconds(limits.KeepAliveSeconds);
            webSockets.KeepAliveTimeout = limits.KeepAliveSeconds > 0 && limits.KeepAliveTimeoutSeconds > 0
                ? TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds)
                : Timeout.InfiniteTimeSpan;
        });
    }
}
