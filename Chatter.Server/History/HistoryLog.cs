namespace Chatter.Server.History;

/// <summary>Log events of the history stores.</summary>
internal static partial class HistoryLog
{
    [LoggerMessage(500, LogLevel.Information, "History database {HistoryFile} open, {ThreadCount} threads")]
    public static partial void Opened(ILogger logger, string historyFile, long threadCount);

    [LoggerMessage(501, LogLevel.Error, "History database {HistoryFile} did not store {BatchSize} messages ({Suppressed} similar failures not logged since the last)")]
    public static partial void AppendFailed(ILogger logger, string historyFile, int batchSize, int suppressed, Exception exception);

    [LoggerMessage(502, LogLevel.Information, "Retention removed {Deleted} old messages")]
    public static partial void Pruned(ILogger logger, long deleted);

    [LoggerMessage(503, LogLevel.Error, "Retention could not run")]
    public static partial void PruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(504, LogLevel.Critical, "History writer of {HistoryFile} stopped: every message is refused and the health checks fail until the server restarts")]
    public static partial void WriterStopped(ILogger logger, string historyFile, Exception exception);

    [LoggerMessage(510, LogLevel.Error, "Redis history did not store a message ({Suppressed} similar failures not logged since the last)")]
    public static partial void RedisAppendFailed(ILogger logger, int suppressed, Exception exception);

    [LoggerMessage(511, LogLevel.Warning, "Redis history skipped {Skipped} stored rows that are not messages ({Suppressed} similar reads not logged since the last)")]
    public static partial void RedisRowsSkipped(ILogger logger, int skipped, int suppressed);

    [LoggerMessage(512, LogLevel.Warning, "Redis history could not index the messages stored before its id index; pages across threads may miss them until it can")]
    public static partial void RedisIndexFailed(ILogger logger, Exception exception);

    [LoggerMessage(520, LogLevel.Information, "History database {HistoryDatabase} (PostgreSQL) open, {ThreadCount} threads")]
    public static partial void PostgresOpened(ILogger logger, string historyDatabase, long threadCount);

    [LoggerMessage(521, LogLevel.Error, "History database {HistoryDatabase} (PostgreSQL) did not store {BatchSize} messages ({Suppressed} similar failures not logged since the last)")]
    public static partial void PostgresAppendFailed(ILogger logger, string historyDatabase, int batchSize, int suppressed, Exception exception);

    [LoggerMessage(522, LogLevel.Critical, "History writer of {HistoryDatabase} (PostgreSQL) stopped: every message is refused and the health checks fail until the server restarts")]
    public static partial void PostgresWriterStopped(ILogger logger, string historyDatabase, Exception exception);
}
