namespace Chatter.Server.RawWebSocket;

/// <summary>Log events of the <c>/ws/chat</c> adapter.</summary>
internal static partial class RawWebSocketLog
{
    [LoggerMessage(400, LogLevel.Warning, "No login frame from {RemoteAddress} within {TimeoutSeconds} s on {ConnectionId}; closing with 1008")]
    public static partial void AuthTimeout(ILogger logger, string? remoteAddress, int timeoutSeconds, string connectionId);

    [LoggerMessage(401, LogLevel.Warning, "Closing {ConnectionId} of {User} with 1009: a message over {MaxFrameBytes} bytes")]
    public static partial void FrameTooLarge(ILogger logger, string? user, string connectionId, int maxFrameBytes);

    [LoggerMessage(402, LogLevel.Warning, "The hub refused the in-process handshake on {ConnectionId}: {Response}")]
    public static partial void HandshakeRefused(ILogger logger, string connectionId, string response);

    [LoggerMessage(403, LogLevel.Debug, "Socket of {ConnectionId} ended: {Reason}")]
    public static partial void SocketEnded(ILogger logger, string connectionId, string reason, Exception? exception);

    [LoggerMessage(404, LogLevel.Error, "The hub failed on {ConnectionId} of {User}; closing with 1011")]
    public static partial void HubFailed(ILogger logger, string user, string connectionId, Exception exception);
}
