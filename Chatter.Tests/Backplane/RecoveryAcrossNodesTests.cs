using System.Text.Json;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Backplane;

/// <summary>
/// Issue 15 on nodes sharing a Redis store and backplane: checkpoints stay exact when live ids from several nodes
/// arrive out of order, a client resumes on another node exactly once, and a resend to another node is stored once.
/// </summary>
[CancelAfter(120_000)]
public class RecoveryAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task EveryCheckpointCoversOnlyMessagesAlreadyReceivedWhileTwoNodesStoreConcurrently(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await ChatterCluster.StartAsync(Redis, 3, configureNode: (i, s) =>
        {
            if (i == 0)
            {
                s.AddSingleton<TimeProvider>(clock);
            }
        });
        var (reader, answer) = await cluster[0].LoginV2Async("test2", cancellationToken: ct);
        await using var _ = reader;
        await using var a = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await cluster[2].LoginRawAsync("test3", cancellationToken: ct);

        const int PerSender = 150;
        var sending = Task.WhenAll(SendAsync(a, "a", PerSender, ct), SendAsync(b, "b", PerSender, ct));
        var received = new HashSet<long>();
        var checkpoints = 0;
        while (received.Count < 2 * PerSender)
        {
            var text = await reader.ReceiveTextAsync(ct);
            using var frame = JsonDocument.Parse(text);
            if (frame.RootElement.TryGetProperty("upTo", out var upTo))
            {
                checkpoints++;
                var missing = Enumerable.Range(1, (int)(upTo.GetInt64() - answer.UpTo)).Select(k => answer.UpTo + k).Where(id => !received.Contains(id)).ToList();
                Assert.That(missing, Is.Empty, $"checkpoint {upTo.GetInt64()} claims ids not yet received");
                continue;
            }

            Assert.That(received.Add(RawChatMessage.Parse(text).Id), Is.True, "no duplicate");
            if (received.Count % 25 == 0)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await sending;
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await reader.ReceiveCheckpointAsync(ct), Is.EqualTo(answer.UpTo + (2 * PerSender)), "once everything came, the checkpoint covers it all");
        Assert.That(checkpoints, Is.GreaterThan(0));
    }

    [Test]
    public async Task AClientResumesOnAnotherNodeFromItsCheckpointAndGetsWhatItMissedExactlyOnce(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, configureNode: (i, s) => s.AddSingleton<TimeProvider>(clock));
        await using var sender = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        var (reader, answer) = await cluster[0].LoginV2Async("test2", cancellationToken: ct);
        var seen = await sender.SendAndAckAsync("t", "seen", "r1", ct);
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(seen.Id));
        clock.Advance(TimeSpan.FromSeconds(1));
        var upTo = await reader.ReceiveCheckpointAsync(ct);
        await reader.DisposeAsync();

        var missed = await sender.SendAndAckAsync("t", "missed", "r2", ct);
        var (back, resumed) = await cluster[1].LoginV2Async("test2", since: upTo, epoch: answer.Epoch, cancellationToken: ct);
        await using var _ = back;
        Assert.That(resumed.Replay.Select(m => m.Id), Is.EqualTo(new[] { missed.Id }));
        Assert.That((resumed.Recovered, resumed.UpTo, resumed.Epoch), Is.EqualTo((true, missed.Id, answer.Epoch)), "one store, one epoch on every node");
        await back.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task AResendToAnotherNodeIsAnsweredWithTheOriginalAndStoredOnce(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        await using var reader = await cluster[1].LoginRawAsync("test2", cancellationToken: ct);
        var first = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        var original = await first.SendAndAckAsync("t", "hello", "r1", ct);
        await first.DisposeAsync();

        await using var second = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        Assert.That((await second.ReceiveMessageAsync(ct)).Id, Is.EqualTo(original.Id), "the replay");
        Assert.That(await second.SendAndAckAsync("t", "hello", "r1", ct), Is.EqualTo(original));
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(original.Id));
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task AMessageWhoseBroadcastIsHeldOnOneNodeHoldsTheCheckpointsOfAnotherAndArrivesOnceAfterAResume(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, configureNode: (node, services) =>
        {
            if (node == 0)
            {
                services.AddSingleton<IChatHistory>(provider => new HeldBroadcastHistory(provider.GetRequiredService<RedisChatHistory>()));
            }
            else
            {
                services.AddSingleton<TimeProvider>(clock);
            }
        });
        var held = (HeldBroadcastHistory)cluster[0].App.Services.GetRequiredService<IChatHistory>();
        var (reader, answer) = await cluster[1].LoginV2Async("test2", cancellationToken: ct);
        await using var onA = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        await using var onB = await cluster[1].LoginRawAsync("test3", cancellationToken: ct);
        // Both replays read (empty) before the held message is stored, so it can reach them only live.
        await cluster[0].Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test1", cancellationToken: ct);
        await cluster[1].Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test3", cancellationToken: ct);

        await onA.SendChatAsync("t", "stored on A, broadcast held", "held", ct);
        var stored = await held.Stored.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
        var later = new[] { await onB.SendAndAckAsync("t", "b1", "b1", ct), await onB.SendAndAckAsync("t", "b2", "b2", ct) };
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(later[0].Id));
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(later[1].Id));

        // A second passes: the checkpoint cannot pass the held message, so none is sent (the probe's ack comes next).
        clock.Advance(TimeSpan.FromSeconds(1));
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
        await reader.DisposeAsync();

        var (back, resumed) = await cluster[1].LoginV2Async("test2", since: answer.UpTo, epoch: answer.Epoch, cancellationToken: ct);
        await using var _ = back;
        Assert.That(resumed.Replay.Select(m => m.Id).Take(3), Is.EqualTo(new[] { stored.Id, later[0].Id, later[1].Id }), "the held message, once, in the replay");
        Assert.That(resumed.Recovered, Is.True);

        held.Release.SetResult();
        string frame;
        while (!RawChatMessage.IsAck(frame = await onA.ReceiveTextAsync(ct)))
        {
            // onA gets the others' messages too (b1, b2, the probe) before its late ack.
        }

        Assert.That(RawAck.Parse(frame).Id, Is.EqualTo(stored.Id));
        var fence = await onA.SendAndAckAsync("t", "fence", "fence", ct);
        Assert.That((await back.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), "the late live copy was history: dropped");
    }

    private static async Task SendAsync(RawChatClient client, string thread, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendChatAsync(thread, $"{thread}{i}", null, ct);
        }
    }
}
