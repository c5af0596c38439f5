using Chatter.Server.Delivery;

namespace Chatter.Tests.Recovery;

/// <summary>A connection's checkpoint moves only over ids it has seen, whatever order they come in.</summary>
public class WatermarkTests
{
    [Test]
    public void IdsThatArriveOutOfOrderMoveTheCheckpointOnlyOnceTheGapBelowThemIsFilled()
    {
        var mark = new Watermark(10);
        mark.Seen(12);
        mark.Seen(14);
        Assert.That(mark.UpTo, Is.EqualTo(10), "11 is missing");
        mark.Seen(11);
        Assert.That(mark.UpTo, Is.EqualTo(12));
        mark.Seen(13);
        Assert.That(mark.UpTo, Is.EqualTo(14));
        mark.Seen(9);
        mark.Seen(14);
        Assert.That(mark.UpTo, Is.EqualTo(14), "history and repeats change nothing");
    }

    [Test]
    public void PastTheBoundOfIdsHeldAboveAGapItStopsRatherThanGrow()
    {
        var mark = new Watermark(0);
        for (var id = 2; id <= Watermark.MaxWaiting + 2; id++)
        {
            mark.Seen(id);
        }

        mark.Seen(1);
        Assert.That(mark.UpTo, Is.Zero, "stuck: no checkpoint claims what it no longer tracks");
    }
}
