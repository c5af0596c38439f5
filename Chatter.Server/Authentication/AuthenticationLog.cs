namespace Chatter.Server.Authentication;

/// <summary>Log events of the users file, logins and tokens. Passwords and tokens never appear in them.</summary>
internal static partial class AuthenticationLog
{
    [LoggerMessage(100, LogLevel.Information, "Loaded {UserCount} users from {UsersFile}")]
    public static partial void UsersLoaded(ILogger logger, string usersFile, int userCount);

    [LoggerMessage(101, LogLevel.Warning, "Users file {UsersFile} does not exist: EVERY LOGIN IS REFUSED until it is created")]
    public static partial void UsersFileMissing(ILogger logger, string usersFile);

    [LoggerMessage(102, LogLevel.Error, "Users file {UsersFile} could not be read; keeping the previous users")]
    public static partial void UsersFileRejected(ILogger logger, string usersFile, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "Users file {UsersFile} holds {PlainCount} plain-text passwords; convert them with: dotnet run --project Chatter.Server -- users hash-all")]
    public static partial void PlainPasswords(ILogger logger, string usersFile, int plainCount);

    [LoggerMessage(110, LogLevel.Information, "Login ok for {User} from {RemoteAddress} over {Transport}")]
    public static partial void LoginOk(ILogger logger, string user, string? remoteAddress, string transport);

    /// <summary><paramref name="user"/> is null for a name that is not a user (it may be a mistyped password).</summary>
    [LoggerMessage(111, LogLevel.Warning, "Login refused for {User} from {RemoteAddress} over {Transport}: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string? user, string? remoteAddress, string transport, string reason);

    [LoggerMessage(112, LogLevel.Warning, "Disconnecting {ConnectionCount} connections of {User}: removed from the users file or its password changed")]
    public static partial void UserRevoked(ILogger logger, string user, int connectionCount);
}
