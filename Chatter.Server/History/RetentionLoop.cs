using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>The background retention of the SQLite and PostgreSQL stores: a prune every <c>PruneIntervalSeconds</c>.</summary>
internal static class RetentionLoop
{
    /// <summary>Runs <paramref name="prune"/> every <paramref name="interval"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunAsync(Func<CancellationToken, Task<long>> prune, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var deleted = await prune(cancellationToken);
                    if (deleted > 0)
                    {
                        Log.Pruned(logger, deleted);
                    }
                }
                catch (ChatHistoryException ex)
                {
                    Log.PruneFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutdown: the timer's wait (or a chunk's command) is cancelled; each chunk is its own transaction, so nothing
            // is half done.
        }
    }
}
