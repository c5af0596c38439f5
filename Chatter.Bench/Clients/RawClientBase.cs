using Chatter.Bench.Measurement;

namespace Chatter.Bench.Clients;

/// <summary>
/// What the two raw clients (<see cref="LeanRawClient"/>, <see cref="RawBenchClient"/>) share: their place in the run
/// and the counters of the <see cref="RawFrameHandler"/> their receive loop feeds. Each has its own socket and sends.
/// </summary>
internal abstract class RawClientBase(int index, RawFrameHandler frames) : IBenchClient
{
    public int Index { get; } = index;

    public string Transport => "raw";

    public DeliveryTracker Tracker => Frames.Tracker;

    public Action<long>? Acknowledged
    {
        get => Frames.Acknowledged;
        set => Frames.Acknowledged = value;
    }

    public long Errors => Frames.Errors;

    public string? FirstError => Frames.FirstError;

    /// <summary>Counts what the receive loop hands it.</summary>
    protected RawFrameHandler Frames { get; } = frames;

    public abstract ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken);

    public abstract ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken);

    public abstract Task CloseAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
