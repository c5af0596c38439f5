namespace Chatter.Server.Hubs;

internal static partial class SignalRShutdownLog
{
    [LoggerMessage(302, LogLevel.Warning, "{Open} SignalR connections still open after {Seconds} seconds of shutdown; they are aborted")]
    public static partial void ShutdownCloseTimedOut(ILogger logger, int open, double seconds);
}
