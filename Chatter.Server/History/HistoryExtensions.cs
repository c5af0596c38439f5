using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.Health;
using Microsoft.Extensions.Options;

namespace Chatter.Server.History;

/// <summary>Registers the history store (<c>Chatter:History</c>) and its health checks.</summary>
public static class HistoryExtensions
{
    /// <summary>
    /// Binds and validates <c>Chatter:History</c>; the store it names (SQLite, memory, Redis or PostgreSQL, see
    /// <see cref="HistoryOptions.StoreWith"/>) as <see cref="IChatHistory"/>; <c>history</c> (readiness) and
    /// <c>history-writer</c> (liveness too) health checks.
    /// </summary>
    public static WebApplicationBuilder AddChatterHistory(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.Read<RedisOptions>(RedisOptions.Section);
        var history = builder.Configuration.Read<HistoryOptions>(HistoryOptions.Section);
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HistoryOptions>>(new HistoryOptionsValidator(redis));

        var store = history.StoreWith(redis);
        if (store == "memory")
        {
            services.AddSingleton<IChatHistory, InMemoryChatHistory>();
        }
        else if (store == "redis")
        {
            services.AddSingleton<RedisChatHistory>();
            services.AddSingleton<IChatHistory>(provider => provider.GetRequiredService<RedisChatHistory>());
            services.AddHostedService(provider => provider.GetRequiredService<RedisChatHistory>());
        }
        else if (store == "postgres")
        {
            // Migrated (or refused) at start, before Kestrel takes connections; drained at stop.
            services.AddSingleton<PostgresChatHistory>();
            services.AddSingleton<IChatHistory>(provider => provider.GetRequiredService<PostgresChatHistory>());
            services.AddHostedService(provider => provider.GetRequiredService<PostgresChatHistory>());
        }
        else
        {
            // Opened (and migrated, or refused) at start, before Kestrel takes connections; drained at stop.
            services.AddSingleton<SqliteChatHistory>();
            services.AddSingleton<IChatHistory>(provider => provider.GetRequiredService<SqliteChatHistory>());
            services.AddHostedService(provider => provider.GetRequiredService<SqliteChatHistory>());
        }

        services.AddHealthChecks()
            .AddCheck<HistoryHealthCheck>("history")
            .AddCheck<HistoryWriterHealthCheck>("history-writer", tags: [HealthTags.Liveness]);
        return builder;
    }
}
