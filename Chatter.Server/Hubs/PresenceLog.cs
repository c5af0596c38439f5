namespace Chatter.Server.Hubs;

/// <summary>Log events of the shared presence.</summary>
internal static partial class PresenceLog
{
    [LoggerMessage(710, LogLevel.Information, "{User} left: the node that held their connections stopped beating")]
    public static partial void DeadNodeUserLeft(ILogger logger, string user);
}
