using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Recovery;

/// <summary>
/// Issue 15, point 3: a chat frame whose user, ref, thread and text equal those of a message that user stored within
/// <c>Chatter:History:DedupeMinutes</c> is answered with the original ack (same id and ts), and is neither stored nor
/// broadcast again; the same ref with other text is a new message.
/// </summary>
[CancelAfter(60_000)]
public class ResendTests
{
    [Test]
    public async Task AResendAfterAReconnectGetsTheOriginalAckAndReachesNobodyTwice(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var reader = await server.LoginRawAsync("test2", cancellationToken: ct);
        var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var original = await sender.SendAndAckAsync("t", "hello", "r1", ct);
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(original.Id));
        await sender.DisposeAsync();

        await using var again = await server.LoginRawAsync("test1", cancellationToken: ct);
        Assert.That((await again.ReceiveMessageAsync(ct)).Id, Is.EqualTo(original.Id), "the replay");
        Assert.That(await again.SendAndAckAsync("t", "hello", "r1", ct), Is.EqualTo(original), "same id and ts");
        var changed = await again.SendAndAckAsync("t", "hello, edited", "r1", ct);
        Assert.That(changed.Id, Is.GreaterThan(original.Id), "same ref, other text: a new message");

        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(changed.Id), "the resend was not broadcast");
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task AResendAfterTheDedupeWindowIsANewMessage(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(
            new Dictionary<string, string?>(ChatterServer.NoRateLimit) { ["Chatter:History:DedupeMinutes"] = "10" },
            configureServices: s => s.AddSingleton<TimeProvider>(clock));
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var original = await sender.SendAndAckAsync("t", "hello", "r1", ct);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.That((await sender.SendAndAckAsync("t", "hello", "r1", ct)).Id, Is.EqualTo(original.Id), "within the window");
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await sender.SendAndAckAsync("t", "hello", "r1", ct)).Id, Is.GreaterThan(original.Id), "past it");
    }

    [Test]
    public async Task ResendsInOneBatchAreStoredOnce(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        // Sent back to back, the frames reach the store together.
        for (var i = 0; i < 3; i++)
        {
            await sender.SendChatAsync("t", "same", "r1", ct);
        }

        var acks = new[] { await sender.ReceiveAckAsync(ct), await sender.ReceiveAckAsync(ct), await sender.ReceiveAckAsync(ct) };
        Assert.That(acks.Select(a => a.Id).Distinct().Count(), Is.EqualTo(1));
        await using var late = await server.LoginRawAsync("test2", cancellationToken: ct);
        Assert.That((await late.ReceiveMessageAsync(ct)).Id, Is.EqualTo(acks[0].Id));
        await late.AssertNothingBeforeOwnAckAsync("t", ct);
    }
}
