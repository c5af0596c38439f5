using Chatter.Server.History;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Infrastructure;

/// <summary>A server whose store is the real SQLite store wrapped by a test's own <see cref="IChatHistory"/>.</summary>
public static class ChatterServerHistory
{
    /// <summary>Starts a server whose hub, health checks and replay use <paramref name="wrap"/> around the real SQLite store.</summary>
    public static async Task<(ChatterServer Server, T History)> StartWithHistoryAsync<T>(Func<IChatHistory, T> wrap)
        where T : class, IChatHistory
    {
        var server = await ChatterServer.StartAsync(configureServices: services =>
            services.AddSingleton<IChatHistory>(provider => wrap(provider.GetRequiredService<SqliteChatHistory>())));
        return (server, (T)server.App.Services.GetRequiredService<IChatHistory>());
    }
}
