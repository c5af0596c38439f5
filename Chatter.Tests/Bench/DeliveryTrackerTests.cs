using System.Text;
using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;

namespace Chatter.Tests.Bench;

/// <summary>The bench's counting: what makes a delivery a duplicate, another run's message, or a latency.</summary>
public class DeliveryTrackerTests
{
    private static readonly byte[] Run = "r1"u8.ToArray();

    [Test]
    public void SecondCopyOfAMessageIsCountedAsDuplicateNotDelivered()
    {
        var tracker = new DeliveryTracker(senders: 2);
        var text = Encoding.ASCII.GetBytes(BenchMessage.Create("r1", BenchMessage.Measured, 1, 7, System.Diagnostics.Stopwatch.GetTimestamp(), 64));

        tracker.Record(text, Run);
        tracker.Record(text, Run);

        Assert.Multiple(() =>
        {
            Assert.That(tracker.Delivered, Is.EqualTo(1));
            Assert.That(tracker.Duplicated, Is.EqualTo(1));
            Assert.That(tracker.HasSeen(1, 7), Is.True);
            Assert.That(tracker.HasSeen(1, 6), Is.False);
            Assert.That(tracker.Latency.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void MessagesOfAnotherRunAndProbesAreNotMeasured()
    {
        var tracker = new DeliveryTracker(senders: 1);

        tracker.Record(Encoding.ASCII.GetBytes(BenchMessage.Create("r2", BenchMessage.Measured, 0, 0, 0, 64)), Run);
        tracker.Record(Encoding.ASCII.GetBytes(BenchMessage.Create("r1", BenchMessage.Probe, 0, 0, 0, 0)), Run);
        tracker.Record("Hello World!", Run);

        Assert.Multiple(() =>
        {
            Assert.That(tracker.Delivered, Is.Zero);
            Assert.That(tracker.Probes, Is.EqualTo(1));
            Assert.That(tracker.Other, Is.EqualTo(2));
        });
    }

    [Test]
    public void MessageFieldIsReadFromARawChatFrame()
    {
        var frame = """{"thread":"bench","message":"r1|m|0|3|12|xx","from":"load0001","sender":"load0001","id":5,"ts":"2026-11-24T09:00:00.000Z"}"""u8;

        Assert.That(Encoding.ASCII.GetString(BenchMessage.MessageField(frame)), Is.EqualTo("r1|m|0|3|12|xx"));
    }

    [Test]
    public void HistogramPercentilesAreWithinOneBucketOfTheTrueValue()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 10_000; i++)
        {
            histogram.Record(i);
        }

        Assert.Multiple(() =>
        {
            Assert.That(histogram.ValueAt(50), Is.InRange(5_000, 5_000 * 1.04));
            Assert.That(histogram.ValueAt(99), Is.InRange(9_900, 9_900 * 1.04));
            Assert.That(histogram.ValueAt(100), Is.EqualTo(10_000));
            Assert.That(histogram.ValueAt(0), Is.EqualTo(1));
        });
    }
}
