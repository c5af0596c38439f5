namespace Chatter.Server.Limits;

/// <summary>Log events of the abuse limits (600–609).</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(600, LogLevel.Warning, "{User} over {Transport} (connection {ConnectionId}) is over the message rate limit; its calls ({Method}) are refused until it slows down")]
    public static partial void RateLimited(ILogger logger, string? user, string transport, string connectionId, string method);

    [LoggerMessage(601, LogLevel.Warning, "Refused a request to {Path} from origin {Origin}: not in Chatter:AllowedOrigins")]
    public static partial void OriginRefused(ILogger logger, string path, string origin);
}
