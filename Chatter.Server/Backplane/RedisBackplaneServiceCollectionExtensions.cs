using Chatter.Server.Health;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;

namespace Chatter.Server.Backplane;

/// <summary>Registers the Redis backplane: several nodes, one chat.</summary>
public static class RedisBackplaneServiceCollectionExtensions
{
    /// <summary>
    /// The node's <see cref="RedisConnection"/>, SignalR's <see cref="RedisHubLifetimeManager{THub}"/> for <see cref="ChatHub"/>
    /// on that connection (every broadcast, from raw and SignalR connections alike, crosses Redis to every node), and the
    /// Redis health check. The caller wraps the lifetime manager; it is registered as itself only.
    /// </summary>
    public static IServiceCollection AddRedisBackplane(this IServiceCollection services)
    {
        services.AddSingleton<RedisConnection>();
        // One client for backplane and history: its settings (fail fast, reconnect, channel prefix) apply to both.
        services.AddOptions<RedisOptions>().Configure<RedisConnection>((options, connection) => options.ConnectionFactory = _ => connection.GetConnectedAsync());
        services.AddSingleton<RedisHubLifetimeManager<ChatHub>>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>(RedisHealthCheck.Name, tags: [RedisHealthCheck.Tag]);
        return services;
    }
}
