namespace Chatter.Server.Backplane;

/// <summary>Log events of the Redis connection.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(700, LogLevel.Warning, "Redis {Endpoint} ({ConnectionType}) lost: {FailureType}; reconnecting")]
    public static partial void ConnectionFailed(ILogger logger, string? endpoint, string connectionType, string failureType, Exception? exception);

    [LoggerMessage(701, LogLevel.Information, "Redis {Endpoint} ({ConnectionType}) reconnected")]
    public static partial void ConnectionRestored(ILogger logger, string? endpoint, string connectionType);

    [LoggerMessage(702, LogLevel.Warning, "Redis {Endpoints} unreachable at start; sends are refused until it answers")]
    public static partial void StartedDisconnected(ILogger logger, string endpoints);

    [LoggerMessage(703, LogLevel.Warning, "Backplane waits for Redis before it subscribes; connections wait with it")]
    public static partial void BackplaneWaiting(ILogger logger);
}
