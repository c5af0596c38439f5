namespace Chatter.Server.Moderation;

/// <summary>Log events of moderation (800–819): every admin action, done or refused, with who, what and the target.</summary>
internal static partial class ModerationLog
{
    [LoggerMessage(800, LogLevel.Warning, "Admin action {Action} by {Admin} on {Target} over {Transport}: done, logins refused until {Until}")]
    public static partial void AdminAction(ILogger logger, string action, string admin, string target, string transport, DateTimeOffset until);

    /// <summary><paramref name="target"/> is null for a name that is not a user (it is not logged: it may be anything).</summary>
    [LoggerMessage(801, LogLevel.Warning, "Admin action {Action} by {Admin} on {Target} over {Transport} refused: {Reason}")]
    public static partial void AdminActionRefused(ILogger logger, string action, string? admin, string? target, string transport, string reason);

    [LoggerMessage(802, LogLevel.Warning, "Chatter:Admins lists {Admin}, who is not a user in {UsersFile}: nobody by that name can moderate until the file has them")]
    public static partial void UnknownAdmin(ILogger logger, string admin, string usersFile);

    [LoggerMessage(803, LogLevel.Information, "Disconnecting {ConnectionCount} connections of {User} on this node: kicked")]
    public static partial void KickedConnections(ILogger logger, string user, int connectionCount);

    [LoggerMessage(804, LogLevel.Error, "The kick of {User} could not be shared through Redis: only this node refuses and disconnects them")]
    public static partial void KickNotShared(ILogger logger, string user, Exception exception);

    [LoggerMessage(805, LogLevel.Warning, "Redis does not answer for kicks; this node refuses only the users kicked on it until it does")]
    public static partial void KicksUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(806, LogLevel.Information, "Redis answers for kicks again")]
    public static partial void KicksBack(ILogger logger);

    [LoggerMessage(807, LogLevel.Warning, "Could not subscribe to kicks through Redis; retrying (kicks on other nodes do not disconnect users here meanwhile)")]
    public static partial void KickSubscriptionFailed(ILogger logger, Exception exception);

    [LoggerMessage(808, LogLevel.Warning, "Admin action {Action} by {Admin} on message {MessageId} of {Author} over {Transport}: done")]
    public static partial void AdminMessageAction(ILogger logger, string action, string admin, long messageId, string author, string transport);

    /// <summary><paramref name="author"/> is null when there is no such message.</summary>
    [LoggerMessage(809, LogLevel.Warning, "Admin action {Action} by {Admin} on message {MessageId} of {Author} over {Transport} refused: {Reason}")]
    public static partial void AdminMessageActionRefused(ILogger logger, string action, string admin, long messageId, string? author, string transport, string reason);
}
