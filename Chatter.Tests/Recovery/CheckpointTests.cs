using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Recovery;

/// <summary>
/// Issue 15, point 2: while live, a v2 connection gets <c>{"upTo": N}</c> at most once a second while messages flow,
/// never while idle; a reconnect with since = the last upTo and the epoch gets every message it missed exactly once.
/// The clock is a fake one: a second passes when the test says so.
/// </summary>
[CancelAfter(60_000)]
public class CheckpointTests
{
    [Test]
    public async Task ACheckpointFollowsTheMessagesItCoversOncePerSecondAndNeverWhileIdle(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (reader, answer) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var _ = reader;
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        var first = await sender.SendAndAckAsync("t", "one", "r1", ct);
        var second = await sender.SendAndAckAsync("t", "two", "r2", ct);
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(first.Id));
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await reader.ReceiveCheckpointAsync(ct), Is.EqualTo(second.Id), "every message up to the second was sent");

        // Idle: more seconds pass, and no checkpoint comes (the next frame is the probe's own ack).
        clock.Advance(TimeSpan.FromSeconds(3));
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
        Assert.That(answer.UpTo, Is.LessThan(first.Id));
    }

    [Test]
    public async Task AClientThatResumesFromItsLastCheckpointGetsEveryMessageItMissedExactlyOnce(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (reader, answer) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var seen = await sender.SendAndAckAsync("t", "seen", "r1", ct);
        await reader.ReceiveMessageAsync(ct);
        clock.Advance(TimeSpan.FromSeconds(1));
        var upTo = await reader.ReceiveCheckpointAsync(ct);
        Assert.That(upTo, Is.EqualTo(seen.Id));
        await reader.DisposeAsync();

        var missed = new[] { await sender.SendAndAckAsync("t", "missed1", "r2", ct), await sender.SendAndAckAsync("u", "missed2", "r3", ct) };
        var (back, resumed) = await server.LoginV2Async("test2", since: upTo, epoch: answer.Epoch, cancellationToken: ct);
        await using var _ = back;
        Assert.That(resumed.Replay.Select(m => m.Id), Is.EqualTo(missed.Select(a => a.Id)));
        Assert.That((resumed.Recovered, resumed.UpTo), Is.EqualTo((true, missed[^1].Id)));
        await back.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task AClientWithoutV2NeverGetsACheckpoint(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        await using var reader = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        var sent = await sender.SendAndAckAsync("t", "one", "r1", ct);
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(sent.Id));
        clock.Advance(TimeSpan.FromSeconds(2));
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task AClientsOwnMessagesCountForItsCheckpoints(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (client, _) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var __ = client;

        var own = await client.SendAndAckAsync("t", "mine", "r1", ct);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await client.ReceiveCheckpointAsync(ct), Is.EqualTo(own.Id), "no message of the others is missing below it");
    }
}
