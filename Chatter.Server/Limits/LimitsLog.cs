namespace Chatter.Server.Limits;

/// <summary>Log events of the abuse limits (600–619).</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(600, LogLevel.Warning, "{User} over {Transport} (connection {ConnectionId}) is over the message rate limit; its calls ({Method}) are refused until it slows down")]
    public static partial void RateLimited(ILogger logger, string? user, string transport, string connectionId, string method);

    [LoggerMessage(601, LogLevel.Warning, "Refused a request to {Path} from origin {Origin}: not in Chatter:AllowedOrigins")]
    public static partial void OriginRefused(ILogger logger, string path, string origin);

    [LoggerMessage(602, LogLevel.Warning, "Redis does not answer for the shared limits; each node counts logins, connections and messages on its own until it does")]
    public static partial void SharedLimitsUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(603, LogLevel.Information, "Redis answers again: the limits are shared by every node")]
    public static partial void SharedLimitsBack(ILogger logger);

    [LoggerMessage(604, LogLevel.Debug, "Password checked for {User} from {RemoteAddress}: {Ok}")]
    public static partial void PasswordChecked(ILogger logger, string? user, string? remoteAddress, bool ok);

    [LoggerMessage(605, LogLevel.Warning, "Refused a /ws/chat upgrade from {RemoteAddress}: {Reason}")]
    public static partial void UpgradeRefused(ILogger logger, string? remoteAddress, string reason);
}
