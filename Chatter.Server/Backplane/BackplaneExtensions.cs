using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;
using SignalRRedisOptions = Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions;

namespace Chatter.Server.Backplane;

/// <summary>Registers the Redis connection that several nodes share (<c>Chatter:Redis</c>).</summary>
public static class BackplaneExtensions
{
    /// <summary>
    /// Binds and validates <c>Chatter:Redis</c>; when it is configured, the node's <see cref="RedisConnection"/>, used by
    /// SignalR's Redis lifetime manager too (the hub registers that, <c>Hubs.HubExtensions</c>: every broadcast, from raw
    /// and SignalR connections alike, crosses Redis to every node), and the Redis health check.
    /// </summary>
    public static WebApplicationBuilder AddChatterBackplane(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>();
        if (redis.IsConfigured)
        {
            services.AddSingleton<RedisConnection>();
            // One client for backplane and history: its settings (fail fast, reconnect, channel prefix) apply to both.
            services.AddOptions<SignalRRedisOptions>().Configure<RedisConnection>((options, connection) => options.ConnectionFactory = _ => connection.GetConnectedAsync());
            services.AddHealthChecks().AddCheck<RedisHealthCheck>(RedisHealthCheck.Name, tags: [RedisHealthCheck.Tag]);
        }

        return builder;
    }
}
