namespace Chatter.Server.Hubs;

/// <summary>The hub's log events; every one carries the connection id, the user and the transport (raw | signalr).</summary>
internal static partial class ChatHubLog
{
    [LoggerMessage(200, LogLevel.Information, "Connected {User} over {Transport} as {ConnectionId}, replaying {ReplayCount} messages")]
    public static partial void Connected(ILogger logger, string? user, string transport, string connectionId, int replayCount);

    [LoggerMessage(201, LogLevel.Information, "Disconnected {User} over {Transport} as {ConnectionId}")]
    public static partial void Disconnected(ILogger logger, string? user, string transport, string connectionId, Exception? exception);

    [LoggerMessage(202, LogLevel.Information, "Stored message {MessageId} in {Thread} from {User} ({Length} characters) over {Transport} as {ConnectionId}")]
    public static partial void MessageStored(ILogger logger, long messageId, string thread, string user, int length, string transport, string connectionId);

    [LoggerMessage(203, LogLevel.Warning, "Refused a frame from {User} over {Transport} as {ConnectionId}: {Reason}")]
    public static partial void InvalidFrame(ILogger logger, string? user, string transport, string connectionId, string reason);

    [LoggerMessage(204, LogLevel.Error, "The history store did not take a message from {User} over {Transport} as {ConnectionId}")]
    public static partial void StoreFailed(ILogger logger, string? user, string transport, string connectionId, Exception exception);

    [LoggerMessage(206, LogLevel.Warning, "Presence change of {User} over {Transport} as {ConnectionId} could not be sent (backplane down?)")]
    public static partial void PresenceNotSent(ILogger logger, string? user, string transport, string connectionId, Exception exception);

    [LoggerMessage(205, LogLevel.Error, "The history store could not give the replay for {User} over {Transport} as {ConnectionId}; live messages only")]
    public static partial void ReplayFailed(ILogger logger, string? user, string transport, string connectionId, Exception exception);

    [LoggerMessage(207, LogLevel.Warning, "Message {MessageId} was stored but its broadcast failed (backplane down?); its sender got the ack and the others get it by replay")]
    public static partial void BroadcastFailed(ILogger logger, long messageId, Exception exception);

    [LoggerMessage(208, LogLevel.Error, "Sending messages from {User} over {Transport} as {ConnectionId} failed unexpectedly")]
    public static partial void SendFailed(ILogger logger, string? user, string transport, string connectionId, Exception exception);

    [LoggerMessage(209, LogLevel.Debug, "Replayed to {User} as {ConnectionId} since {Since}: {ReplayCount} messages, recovered {Recovered}, up to {UpTo}")]
    public static partial void Replayed(ILogger logger, string? user, string connectionId, long? since, int replayCount, bool recovered, long upTo);

    [LoggerMessage(210, LogLevel.Information, "Message {MessageId} in {Thread} from {User} was sent again over {Transport} as {ConnectionId}; answered with the stored one, not stored twice")]
    public static partial void MessageResent(ILogger logger, long messageId, string thread, string user, string transport, string connectionId);

    [LoggerMessage(213, LogLevel.Warning, "A notice (read marker or typing) from {User} over {Transport} as {ConnectionId} could not be sent (backplane down?)")]
    public static partial void ConversationNoticeNotSent(ILogger logger, string? user, string transport, string connectionId, Exception exception);

    [LoggerMessage(211, LogLevel.Warning, "The {Notice} notice of message {MessageId} from {User} over {Transport} as {ConnectionId} could not be sent (backplane down?); the others see the change in their next replay")]
    public static partial void NoticeNotSent(ILogger logger, string notice, long messageId, string? user, string transport, string connectionId, Exception exception);
}
