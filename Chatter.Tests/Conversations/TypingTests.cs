using Chatter.Tests.Delivery;
using Chatter.Tests.Hardening;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Conversations;

/// <summary>
/// Issue 16, point 3: <c>{"typing": "general"}</c> → the other v2 connections get <c>{"typing": "general", "user"}</c>;
/// never stored; at most one per second per connection per thread (extra ones dropped silently, not counted against
/// the message rate); for a reader that is behind, typing frames are dropped, chat messages never.
/// </summary>
[CancelAfter(90_000)]
public class TypingTests
{
    [Test]
    public async Task TypingReachesTheOtherV2ConnectionsOncePerSecondPerThreadAndIsNeverStored(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(
            new Dictionary<string, string?> { ["Chatter:Limits:MessagesPerSecond"] = "1", ["Chatter:Limits:MessageBurst"] = "1" },
            configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var (typist, _) = await server.LoginV2Async("test1", cancellationToken: ct);
        var (watcher, _) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var oldClient = await server.LoginRawAsync("test3", cancellationToken: ct);
        await using var __ = typist;
        await using var ___ = watcher;

        await typist.SendJsonAsync(new { typing = "general" }, ct);
        await typist.SendJsonAsync(new { typing = "general" }, ct);
        await typist.SendJsonAsync(new { typing = "random" }, ct);
        Assert.That(await watcher.ReceiveTextAsync(ct), Is.EqualTo("""{"typing":"general","user":"test1"}"""));
        Assert.That(await watcher.ReceiveTextAsync(ct), Is.EqualTo("""{"typing":"random","user":"test1"}"""), "the second for general within the second was dropped");

        clock.Advance(TimeSpan.FromSeconds(1));
        await typist.SendJsonAsync(new { typing = "general" }, ct);
        Assert.That(await watcher.ReceiveTextAsync(ct), Is.EqualTo("""{"typing":"general","user":"test1"}"""), "a second later");

        // Four typing frames, and the rate limit (1 a second, burst 1) still lets a chat message through.
        var ack = await typist.SendAndAckAsync("general", "hello", "r1", ct);
        Assert.That(ack.Ref, Is.EqualTo("r1"));
        await oldClient.ReceiveMessageAsync(ct);
        clock.Advance(TimeSpan.FromSeconds(2));
        await oldClient.AssertNothingBeforeOwnAckAsync("t", ct);
        await using var reader = await server.ConnectHubAsync("test3", cancellationToken: ct);
        var page = await reader.GetHistoryAsync(null, null, 50, ct);
        Assert.That(page.Select(m => m.Message), Is.EqualTo(new[] { "hello", "probe" }), "typing is never stored");
    }

    [Test]
    public async Task AReaderThatIsBehindGetsEveryChatMessageAndNoTypingNotice(CancellationToken ct)
    {
        var users = new Dictionary<string, string> { ["stalled"] = "p1", ["sender"] = "p2", ["typist"] = "p3", ["watcher"] = "p4" };
        await using var server = await StalledReaders.StartServerAsync(new Dictionary<string, string?> { ["Chatter:Limits:OutboundBufferMessages"] = "100000" }, users);
        await using var stalled = await StalledClient.LoginRawAsync(server.WsUri, "stalled", "p1", ct, version: 2);
        await using var sender = await server.LoginRawAsync("sender", "p2", cancellationToken: ct);
        await using var typist = await server.LoginRawAsync("typist", "p3", cancellationToken: ct);
        var watcher = await server.ConnectRawAsync(ct);
        await using var _ = watcher;
        await watcher.SendJsonAsync(new { username = "watcher", password = "p4", v = 2 }, ct);
        await watcher.ReceiveTextAsync(ct);
        await watcher.ReceiveRecoveryAsync(ct);

        // Far more than the sockets hold: once every send is acked, the stalled reader's queue holds a backlog.
        const int Flood = 2_000;
        var text = new string('x', 1_000);
        for (var i = 0; i < Flood; i++)
        {
            await sender.SendChatAsync("general", text, $"f{i}", ct);
        }

        for (var i = 0; i < Flood; i++)
        {
            await sender.ReceiveAckAsync(ct);
        }

        await typist.SendJsonAsync(new { typing = "general" }, ct);
        await sender.SendAndAckAsync("general", "last", "last", ct);

        var frames = await stalled.ReadUntilAsync(t => t.Contains("\"last\"", StringComparison.Ordinal), ct);
        Assert.That(frames.Count(f => f.Contains("\"typing\"", StringComparison.Ordinal)), Is.Zero, "the typing notice was dropped");
        Assert.That(frames.Count(f => f.StartsWith("{\"thread\"", StringComparison.Ordinal)), Is.EqualTo(Flood + 1), "every chat message came");
    }
}
