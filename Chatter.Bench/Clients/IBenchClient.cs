using Chatter.Bench.Measurement;

namespace Chatter.Bench.Clients;

/// <summary>
/// One connection of the bench, raw (<see cref="RawBenchClient"/>) or SignalR (<see cref="HubBenchClient"/>): logged in,
/// its receive loop counting every message into its <see cref="Tracker"/>. Sends come from one loop at a time.
/// </summary>
internal interface IBenchClient : IAsyncDisposable
{
    /// <summary>The client's place in the run: senders are clients 0 to K−1.</summary>
    int Index { get; }

    /// <summary><c>raw</c> or <c>signalr</c>.</summary>
    string Transport { get; }

    DeliveryTracker Tracker { get; }

    /// <summary>Called with the reference of each acknowledged (or refused) <see cref="SendWithAckAsync"/>, on the client's receive path.</summary>
    Action<long>? Acknowledged { get; set; }

    /// <summary>Error answers received (refused frames, failed invocations).</summary>
    long Errors { get; }

    /// <summary>The first error answer, to show what went wrong.</summary>
    string? FirstError { get; }

    /// <summary>Sends a chat message without asking for an ack.</summary>
    ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken);

    /// <summary>Sends a chat message whose ack (or refusal) calls <see cref="Acknowledged"/> with <paramref name="reference"/>.</summary>
    ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken);

    /// <summary>Closes the connection cleanly, within <paramref name="cancellationToken"/>.</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}
