using Chatter.Protocol;

namespace Chatter.Server.Delivery;

/// <summary>
/// A connection's delivery, as the hub sees it (a feature of the connection): the replay before live messages, and
/// whether the connection was closed for not taking its messages.
/// </summary>
public interface IDelivery
{
    /// <summary>
    /// Queues <paramref name="replay"/> (waiting for room, so a long replay never overflows the queue), then lets live
    /// messages through: those held while the replay was read go out first, and from now on every chat message with an
    /// id at or below <paramref name="highWater"/> (the store's high-water id at the replay's snapshot) is dropped,
    /// since it is history, and every one above it is delivered. <paramref name="method"/> is the client method the
    /// replayed messages are sent as.
    /// </summary>
    Task ReplayThenGoLiveAsync(string method, IReadOnlyList<ChatMessage> replay, long highWater, CancellationToken cancellationToken);

    /// <summary>
    /// Refuses the connection without an exception (nothing to log as an error): after what is queued, the client gets
    /// a close with <paramref name="reason"/> (a SignalR client's connection closes with it), then the connection ends.
    /// </summary>
    void Refuse(string reason);

    /// <summary>True once the connection was closed for not taking its messages.</summary>
    bool IsSlowConsumer { get; }
}
