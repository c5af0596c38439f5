using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hubs;

/// <summary><c>ReceiveMessage</c>: on connect the history, oldest first, then every live message, with no gap and no duplicate.</summary>
[CancelAfter(60_000)]
public class ReceiveMessageTests
{
    [Test]
    public async Task HistoryArrivesOnConnectOldestFirstThenLiveMessages(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await using var raw = await server.LoginRawAsync("test3", cancellationToken: ct);
        var m1 = await sender.SendAsync("a", "one", ct);
        var m2 = await sender.SendAsync("b", "two", ct);
        await raw.ReceiveJsonAsync(ct);
        await raw.ReceiveJsonAsync(ct);
        await raw.SendChatAsync("a", "three from raw", "r3", ct);
        var m3Id = (await raw.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64();

        await using var receiver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        var replay = await ReceiveManyAsync(receiver, 3, ct);
        var live = await sender.SendAsync("b", "four, live", ct);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(replay[..2], Is.EqualTo(new[] { m1, m2 }));
            Assert.That(replay[2].Id, Is.EqualTo(m3Id));
            Assert.That(replay[2].From, Is.EqualTo("test3"));
            Assert.That(replay[2].Message, Is.EqualTo("three from raw"));
            Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(live), "live after the replay, no duplicate before it");
        });
    }

    [Test]
    public async Task ConnectionToAnEmptyHistoryReceivesOnlyLiveMessages(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var receiver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);

        var live = await sender.SendAsync("t", "first ever", ct);

        Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(live));
    }

    [Test]
    public async Task SinceOnTheHubUrlReplaysOnlyLaterMessages(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var m1 = await sender.SendAsync("a", "one", ct);
        var m2 = await sender.SendAsync("b", "two", ct);
        var m3 = await sender.SendAsync("a", "three", ct);
        var m4 = await sender.SendAsync("b", "four", ct);

        await using var receiver = await server.ConnectHubAsync("test2", since: m2.Id, cancellationToken: ct);
        var replay = await ReceiveManyAsync(receiver, 2, ct);
        var live = await sender.SendAsync("a", "five", ct);

        Assert.That(replay, Is.EqualTo(new[] { m3, m4 }));
        Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(live));
        Assert.That(m1.Id, Is.LessThan(m2.Id));
    }

    [Test]
    public async Task SinceTheNewestIdReplaysNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await sender.SendAsync("a", "one", ct);
        var newest = await sender.SendAsync("a", "two", ct);

        await using var receiver = await server.ConnectHubAsync("test2", since: newest.Id, cancellationToken: ct);
        var live = await sender.SendAsync("a", "three", ct);

        Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(live));
    }

    [Test]
    public async Task ReplayIsBoundedPerThreadAndInAllKeepingTheNewest(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:History:ReplayLimit"] = "2",
            ["Chatter:History:ReplayMaxTotal"] = "3",
        });
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var sent = new List<ChatMessage>();
        foreach (var (thread, text) in new[] { ("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("a", "a3"), ("b", "b3") })
        {
            sent.Add(await sender.SendAsync(thread, text, ct));
        }

        await using var receiver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        var replay = await ReceiveManyAsync(receiver, 3, ct);
        var live = await sender.SendAsync("a", "live", ct);

        // Newest 2 per thread: a2 b2 a3 b3; of those the newest 3 in all, oldest first.
        Assert.That(replay.Select(m => m.Message), Is.EqualTo(new[] { "b2", "a3", "b3" }));
        Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(live));
    }

    [Test]
    public async Task ConnectingDuringABurstGetsEveryMessageExactlyOnceInOrder(CancellationToken ct)
    {
        const int Before = 50, After = 50, Most = 5000;
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:History:ReplayLimit"] = "10000",
            ["Chatter:History:ReplayMaxTotal"] = "10000",
            ["Chatter:Limits:MessagesPerSecond"] = "0",
        });
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The sender keeps sending for the whole connect and a little after it, so replay and live overlap.
        var sending = Task.Run(
            async () =>
            {
                var ids = new List<long>();
                for (var after = 0; after < After && ids.Count < Most;)
                {
                    ids.Add((await sender.SendAsync("burst", $"m{ids.Count}", ct)).Id);
                    if (ids.Count == Before)
                    {
                        started.TrySetResult();
                    }

                    after += connected.Task.IsCompleted ? 1 : 0;
                }

                return ids;
            },
            ct);

        await started.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
        await using var receiver = await server.ConnectHubAsync("test2", cancellationToken: ct);
        connected.TrySetResult();
        var sentIds = await sending.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var received = await ReceiveManyAsync(receiver, sentIds.Count, ct);

        // One sender, so replay then live is exactly the order sent: a gap, a duplicate or a reordering shows here.
        Assert.That(received.Select(m => m.Id), Is.EqualTo(sentIds));
        var fence = await sender.SendAsync("burst", "fence", ct);
        Assert.That(await receiver.ReceiveAsync(cancellationToken: ct), Is.EqualTo(fence), "no late duplicate");
    }

    private static async Task<ChatMessage[]> ReceiveManyAsync(HubChatClient client, int count, CancellationToken ct)
    {
        var messages = new ChatMessage[count];
        for (var i = 0; i < count; i++)
        {
            messages[i] = await client.ReceiveAsync(cancellationToken: ct);
        }

        return messages;
    }
}
