using Chatter.Server.History;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Started <see cref="PostgresChatHistory"/> stores of one test (several on one database are several nodes), stopped and
/// disposed together at its end.
/// </summary>
public sealed class PostgresStores : IAsyncDisposable
{
    private readonly List<PostgresChatHistory> stores = [];

    /// <summary>A store on <paramref name="connectionString"/>, started (its schema migrated).</summary>
    public async Task<PostgresChatHistory> StartAsync(string connectionString, HistoryOptions? options = null, TimeProvider? time = null)
    {
        var history = Create(connectionString, options, time);
        await history.StartAsync(CancellationToken.None);
        return history;
    }

    /// <summary>A store on <paramref name="connectionString"/>, not started.</summary>
    public PostgresChatHistory Create(string connectionString, HistoryOptions? options = null, TimeProvider? time = null)
    {
        options ??= new HistoryOptions();
        options.Store = "postgres";
        options.ConnectionString = connectionString;
        var history = new PostgresChatHistory(Options.Create(options), time ?? TimeProvider.System, NullLogger<PostgresChatHistory>.Instance);
        stores.Add(history);
        return history;
    }

    /// <summary>Stops and disposes <paramref name="history"/> now.</summary>
    public async Task StopAsync(PostgresChatHistory history)
    {
        stores.Remove(history);
        await history.StopAsync(CancellationToken.None);
        await history.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var history in stores.ToArray())
        {
            await StopAsync(history);
        }
    }
}
