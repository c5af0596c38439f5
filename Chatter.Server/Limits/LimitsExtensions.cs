using Chatter.Server.Authentication;
using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>The abuse and resource limits (<c>Chatter:Limits</c>, <c>Chatter:AllowedOrigins</c>): their registration and the origin policy.</summary>
public static class LimitsExtensions
{
    /// <summary>
    /// Binds and validates <c>Chatter:Limits</c>; the login limits, the connection limits and the message rate, as hub
    /// filters inside the hub's log context; revocation's hub filter; keep-alives; Kestrel's request limits; and CORS
    /// for the allowed origins. After <see cref="HubExtensions.AddChatterHub"/> (see <see cref="HubExtensions.RequireChatterHub"/>).
    /// </summary>
    public static WebApplicationBuilder AddChatterLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.RequireChatterHub(nameof(AddChatterLimits));
        var limits = builder.Configuration.Read<LimitsOptions>(LimitsOptions.Section);
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        var chatter = builder.Configuration.Read<ChatterOptions>(ChatterOptions.Section);
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();

        AddLoginLimits(services, redis.IsConfigured);
        if (redis.IsConfigured)
        {
            // Connections per user and the message rate per user, on every node (README, Security).
            services.AddSingleton<RedisConnectionCounts>();
            services.AddHostedService(provider => provider.GetRequiredService<RedisConnectionCounts>());
            services.AddSingleton<RedisMessageBudget>();
        }

        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton<IMessageRate, MessageRate>();
        services.AddSingleton<ChatHubLimitsFilter>();
        services.AddSingleton<RevocationHubFilter>();
        services.Configure<HubOptions>(hub =>
        {
            if (limits.KeepAliveSeconds > 0)
            {
                // Hub pings; a client silent for ping + timeout is taken for dead and dropped.
                hub.KeepAliveInterval = TimeSpan.FromSeconds(limits.KeepAliveSeconds);
                hub.ClientTimeoutInterval = TimeSpan.FromSeconds(limits.KeepAliveSeconds + Math.Max(limits.KeepAliveTimeoutSeconds, limits.KeepAliveSeconds));
            }

            // After the hub's log context (added with SignalR), in this order.
            hub.AddFilter<ChatHubLimitsFilter>();
            hub.AddFilter<RevocationHubFilter>();
        });

        TransportLimits.Configure(builder, limits);
        if (chatter.AllowedOrigins.Length > 0)
        {
            // Pages on the allowed origins may call the token endpoint and the hub's negotiate from the browser.
            services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(chatter.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        }

        return builder;
    }

    /// <summary>When <c>Chatter:AllowedOrigins</c> is set: the origin policy (<see cref="OriginPolicyMiddleware"/>), then CORS; nothing otherwise.</summary>
    public static WebApplication UseChatterOriginPolicy(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ChatterOptions>>().Value.AllowedOrigins.Length > 0)
        {
            app.UseMiddleware<OriginPolicyMiddleware>();
            app.UseCors();
        }

        return app;
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
        services.AddSingleton<ICredentialCheck>(provider => provider.GetRequiredService<CredentialCheck>());
        services.AddSingleton<UnauthenticatedConnections>();
    }
}
