using System.Text;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Clients;

/// <summary>
/// What a raw client does with each frame it receives, read straight from the bytes: an ack calls
/// <see cref="Acknowledged"/>, an error is counted (and frees its window place when it has a ref), any other frame's
/// <c>message</c> field goes to the <see cref="DeliveryTracker"/>. Called by the client's one receive loop.
/// </summary>
internal sealed class RawFrameHandler(DeliveryTracker tracker, string run)
{
    private readonly byte[] run = Encoding.ASCII.GetBytes(run);
    private long errors;

    public DeliveryTracker Tracker { get; } = tracker;

    public Action<long>? Acknowledged { get; set; }

    public long Errors => Volatile.Read(ref errors);

    public string? FirstError { get; private set; }

    public void Handle(ReadOnlySpan<byte> frame)
    {
        if (frame.StartsWith("{\"ack\":\""u8))
        {
            if (RawFrames.TryReadReference(frame[8..], out var reference))
            {
                Acknowledged?.Invoke(reference);
            }

            return;
        }

        if (frame.StartsWith("{\"error\""u8))
        {
            Volatile.Write(ref errors, errors + 1);
            FirstError ??= Encoding.UTF8.GetString(frame);
            var at = frame.IndexOf("\"ref\":\""u8);
            if (at >= 0 && RawFrames.TryReadReference(frame[(at + 7)..], out var reference))
            {
                Acknowledged?.Invoke(reference);
            }

            return;
        }

        Tracker.Record(BenchMessage.MessageField(frame), run);
    }
}
