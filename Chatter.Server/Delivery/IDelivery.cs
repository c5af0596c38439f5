namespace Chatter.Server.Delivery;

/// <summary>
/// A connection's delivery, as the hub sees it (a feature of the connection): the replay before live messages, and
/// whether the connection was closed for not taking its messages.
/// </summary>
public interface IDelivery
{
    /// <summary>
    /// Queues the replay (waiting for room, so a long replay never overflows the queue) and the message after it, then
    /// lets live messages through: those held while the replay was read go out first, and from now on every chat message
    /// with an id at or below the high-water id (the store's at the replay's snapshot) is dropped, since it is history,
    /// and every one above it is delivered. With a checkpoint method, checkpoints follow (<see cref="Checkpoints"/>).
    /// A second call does nothing and answers false.
    /// </summary>
    Task<bool> ReplayThenGoLiveAsync(LiveStart start, CancellationToken cancellationToken);

    /// <summary>The connection's client stored message <paramref name="id"/> (it has it from its ack): it counts for its checkpoints.</summary>
    void Sent(long id);

    /// <summary>
    /// The connection's client stored direct message <paramref name="id"/>: its copy to the user's connections comes back
    /// to this one too, and is dropped (once).
    /// </summary>
    void SentDirect(long id);

    /// <summary>True once the connection is live (<see cref="ReplayThenGoLiveAsync"/> has run).</summary>
    bool IsLive { get; }

    /// <summary>
    /// Refuses the connection without an exception (nothing to log as an error): after what is queued, the client gets
    /// a close with <paramref name="reason"/> (a SignalR client's connection closes with it), then the connection ends.
    /// </summary>
    void Refuse(string reason);

    /// <summary>True once the connection was closed for not taking its messages.</summary>
    bool IsSlowConsumer { get; }
}
