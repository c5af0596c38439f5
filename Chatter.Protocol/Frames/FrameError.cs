namespace Chatter.Protocol.Frames;

/// <summary>The reasons sent back as <c>{"error":"..."}</c> for frames that cannot be used.</summary>
public static class FrameError
{
    public const string InvalidJson = "invalid JSON";
    public const string NotAnObject = "frame must be a JSON object";
    public const string BinaryFrame = "binary frames are not supported";
    public const string ThreadRequired = "thread is required";
    public const string ThreadNotString = "thread must be a string";
    public const string MessageRequired = "message is required";
    public const string MessageNotString = "message must be a string";
    public const string InvalidCredentials = "invalid credentials";
    public const string MessageNotStored = "message not stored";
    public const string TooManyAttempts = "too many attempts";
    public const string RateLimited = "rate limited";
    public const string TooManyConnections = "too many connections";
    public const string ServerBusy = "server busy";
    public const string PresenceNotTrue = "presence must be true";
    public const string HistoryNotObject = "history must be an object";
    public const string HistoryThreadNotString = "history thread must be a string or null";
    public const string HistoryBeforeNotInteger = "history before must be an integer or null";
    public const string HistoryLimitNotInteger = "history limit must be an integer";
    public const string ReadNotObject = "read must be an object";
    public const string ReadIdNotPositive = "read id must be a positive integer";
    public const string TypingNotString = "typing must be a thread name";
    public const string TooManyReadMarkers = "too many read markers";
    public const string ProtocolNotSupported = "protocol not supported";
    public const string Kicked = "kicked";
    public const string NotAllowed = "not allowed";
    public const string UnknownUser = "unknown user";
    public const string KickNotString = "kick must be a user name";
    public const string EditIdNotPositive = "edit must be a positive message id";
    public const string DeleteIdNotPositive = "delete must be a positive message id";
    public const string NotFound = "not found";
    public const string NotYours = "not yours";
    public const string RawClientsOnly = "SendFrames is for /ws/chat clients; call SendMessage";
}
