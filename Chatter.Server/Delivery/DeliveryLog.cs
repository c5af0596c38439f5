namespace Chatter.Server.Delivery;

internal static partial class DeliveryLog
{
    [LoggerMessage(300, LogLevel.Warning, "Closing {ConnectionId} of {User}: slow consumer, its send queue is full ({Queued} messages waiting)")]
    public static partial void SlowConsumer(ILogger logger, string? user, string connectionId, int queued);

    [LoggerMessage(301, LogLevel.Warning, "Backplane could not (un)register {ConnectionId} of {User}; it still receives broadcasts once Redis answers")]
    public static partial void BackplaneRegistrationFailed(ILogger logger, string? user, string connectionId, Exception exception);

    [LoggerMessage(303, LogLevel.Warning, "Closing {ConnectionId} of {User}: a send took longer than {Seconds} seconds")]
    public static partial void SendTimedOut(ILogger logger, string? user, string connectionId, double seconds);

    [LoggerMessage(304, LogLevel.Warning, "Closing {ConnectionId} of {User}: slow consumer, the node's outbound budget of {BudgetBytes} bytes is spent and it holds {QueuedBytes} of them")]
    public static partial void BudgetSpent(ILogger logger, string? user, string connectionId, long budgetBytes, long queuedBytes);
}
