using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// REVIEW H1: once the store has accepted a message, its sender gets the ack even when the broadcast that follows fails
/// (here the Redis backplane is down while the history is SQLite); the message reaches the others by replay.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class StoredMeansAcknowledgedTests
{
    [Test]
    public async Task FramesSentWhileTheBackplaneIsDownAreAckedAsStoredAndReachOthersByReplay(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        var settings = ChatterCluster.Settings(redis, $"h1-{Guid.NewGuid():N}", new Dictionary<string, string?> { ["Chatter:History:Store"] = "sqlite" });
        await using var server = await ChatterServer.StartAsync(settings);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        var before = await sender.SendAndAckAsync("t", "before", "b", ct);
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(before.Id));

        await redis.StopAsync();
        await server.Logs.WaitForEventAsync(700, e => LogCapture.Property(e, "ConnectionType") == "Subscription", cancellationToken: ct);
        // Back to back, so that they reach the hub as one batch: every frame is answered as what happened to it.
        string[] refs = ["r1", "r2", "r3"];
        foreach (var reference in refs)
        {
            await sender.SendChatAsync("t", $"during {reference}", reference, ct);
        }

        var acks = new List<RawAck>();
        foreach (var _ in refs)
        {
            acks.Add(await sender.ReceiveAckAsync(ct));
        }

        Assert.That(acks.Select(a => a.Ref), Is.EqualTo(refs), "each frame is acked, in order");
        Assert.That(server.Logs.WithEventId(207).Count(), Is.EqualTo(refs.Length), "each failed broadcast is logged");

        await redis.StartAgainAsync(ct);
        await using var reader = await server.ConnectHubAsync("carol", cancellationToken: ct);
        var history = await reader.GetHistoryAsync("t", null, 10, ct);
        Assert.That(history.Select(m => (m.Id, m.Message)), Is.EqualTo(new[] { (before.Id, "before") }.Concat(acks.Select(a => (a.Id, $"during {a.Ref}")))),
            "every ack names a stored message, with the id the ack gave");

        // The receiver missed them live; they come by replay.
        await using var again = await server.LoginRawAsync("test2", since: before.Id, cancellationToken: ct);
        foreach (var ack in acks)
        {
            Assert.That((await again.ReceiveMessageAsync(ct)).Id, Is.EqualTo(ack.Id));
        }
    }
}
