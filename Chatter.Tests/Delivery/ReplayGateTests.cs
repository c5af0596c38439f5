using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Delivery;

/// <summary>
/// The replay gate, made deterministic: the store's replay read is held while live messages arrive, and a message stored
/// before the replay's snapshot has its broadcast held until before or after the joiner goes live. The joiner gets every
/// message exactly once, the history first: no gap, no duplicate, no grace window.
/// </summary>
[CancelAfter(60_000)]
public class ReplayGateTests
{
    [TestCase(true, TestName = "AMessageStoredBeforeTheSnapshotWhoseBroadcastArrivesWhileTheReplayIsHeldIsNotDeliveredTwice")]
    [TestCase(false, TestName = "AMessageStoredBeforeTheSnapshotWhoseBroadcastArrivesAfterGoingLiveIsNotDeliveredTwice")]
    public async Task LiveMessagesDuringAHeldReplayArriveOnceAfterTheHistory(bool broadcastWhileHeld, CancellationToken ct)
    {
        var (server, history) = await ChatterServerHistory.StartWithHistoryAsync(inner => new HeldHistory(inner));
        await using var _ = server;
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var bystander = await server.LoginRawAsync("test3", cancellationToken: ct);
        await history.NextReplayAsync(ct);
        await history.NextReplayAsync(ct);

        // m1: committed before the joiner's snapshot, its broadcast held.
        history.HoldAppends();
        await sender.SendChatAsync("t", "m1", "1", ct);
        var m1 = await history.NextCommittedAsync(ct);

        history.HoldReplays();
        await using var joiner = await server.LoginRawAsync("test2", cancellationToken: ct);
        var replay = await history.NextReplayAsync(ct);
        Assert.That(replay.HighWater, Is.EqualTo(m1.Id), "the snapshot holds m1");
        Assert.That(replay.Messages.Select(m => m.Id), Does.Contain(m1.Id));

        RawAck m2;
        var received = new List<long>();
        if (broadcastWhileHeld)
        {
            history.ReleaseAppends();
            Assert.That((await sender.ReceiveAckAsync(ct)).Id, Is.EqualTo(m1.Id), "m1 was broadcast (to the held joiner too) before its ack");
            // m2: stored after the snapshot, while the replay is still held.
            m2 = await sender.SendAndAckAsync("t", "m2", "2", ct);
            history.ReleaseReplays();
        }
        else
        {
            history.ReleaseReplays();
            received.Add((await joiner.ReceiveMessageAsync(ct)).Id);
            Assert.That(received, Is.EqualTo(new[] { m1.Id }), "the replay");
            // The hub handles a call only once OnConnectedAsync (the replay, then going live) is done: the presence
            // answer (a "joined" frame for each of the three users online) proves the joiner is live.
            await joiner.SendJsonAsync(new { presence = true }, ct);
            for (var i = 0; i < 3; i++)
            {
                Assert.That((await joiner.ReceiveJsonAsync(ct)).TryGetProperty("presence", out var _), Is.True);
            }

            history.ReleaseAppends();
            Assert.That((await sender.ReceiveAckAsync(ct)).Id, Is.EqualTo(m1.Id), "m1 was broadcast, after the joiner went live");
            m2 = await sender.SendAndAckAsync("t", "m2", "2", ct);
        }

        var m3 = await sender.SendAndAckAsync("t", "m3", "3", ct);
        while (received.Count < 3)
        {
            received.Add((await joiner.ReceiveMessageAsync(ct)).Id);
        }

        await joiner.AssertNothingBeforeOwnAckAsync("t", ct);

        Assert.That(received, Is.EqualTo(new[] { m1.Id, m2.Id, m3.Id }), "the replay, then every live message once, in order");
        Assert.That((await bystander.ReceiveMessageAsync(ct)).Id, Is.EqualTo(m1.Id), "a connection that was live all along got m1 live");
    }
}
