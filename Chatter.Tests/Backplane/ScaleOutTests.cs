using System.Globalization;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// Three real nodes in the test process on one private Redis: raw and SignalR clients on different nodes are one chat.
/// Every message reaches every other client exactly once, never its sender, each sender's in the order sent.
/// </summary>
[CancelAfter(300_000)]
[NonParallelizable]
public class ScaleOutTests : RedisTestBase
{
    [Test]
    public async Task RawOnOneNodeSignalROnAnotherAndRawOnAThirdSeeEachOtherButNotThemselves(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 3);
        await using var rawA = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        await using var hubB = await cluster[1].ConnectHubAsync("test2", cancellationToken: ct);
        await using var rawC = await cluster[2].LoginRawAsync("test3", cancellationToken: ct);

        var fromA = await rawA.SendAndAckAsync("x", "from A (raw)", "a", ct);
        Assert.That(await rawC.ReceiveMessageAsync(ct), Is.EqualTo(new RawChatMessage("x", "from A (raw)", "test1", "test1", fromA.Id, fromA.Ts)));
        Assert.That((await hubB.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(fromA.Id));

        var fromB = await hubB.SendAsync("x", "from B (SignalR)", ct);
        Assert.That((await rawA.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromB.Id));
        Assert.That((await rawC.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromB.Id));

        var fromC = await rawC.SendAndAckAsync("x", "from C (raw)", "c", ct);
        Assert.That((await rawA.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromC.Id));
        Assert.That((await hubB.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(fromC.Id));

        Assert.That(new[] { fromA.Id, fromB.Id, fromC.Id }, Is.Ordered.Ascending, "ids increase across nodes");
        // Nothing else waits for anyone: no echo of their own message, no second copy.
        await rawA.AssertNothingBeforeOwnAckAsync("probe-a", ct);
        Assert.That((await rawC.ReceiveMessageAsync(ct)).Thread, Is.EqualTo("probe-a"));
        await rawC.AssertNothingBeforeOwnAckAsync("probe-c", ct);
        Assert.That((await rawA.ReceiveMessageAsync(ct)).Thread, Is.EqualTo("probe-c"));
        Assert.That((await hubB.ReceiveAsync(cancellationToken: ct)).Thread, Is.EqualTo("probe-a"));
        Assert.That((await hubB.ReceiveAsync(cancellationToken: ct)).Thread, Is.EqualTo("probe-c"));
        Assert.That(hubB.HasNoPendingMessage, Is.True);
    }

    [Test]
    public async Task ThreeNodesTenClientsEachHundredMessagesEachArriveExactlyOnceInSenderOrder(CancellationToken ct)
    {
        const int nodes = 3, clientsPerNode = 10, messagesPerClient = 100;
        const int clients = nodes * clientsPerNode;
        var users = TestUsers.Numbered(clients);
        await using var cluster = await ChatterCluster.StartAsync(
            Redis, nodes, new Dictionary<string, string?> { ["Chatter:History:ReplayLimit"] = "100000", ["Chatter:History:ReplayMaxTotal"] = "100000" }, users);

        // Half of each node's clients raw, half SignalR.
        var raw = new Dictionary<int, RawChatClient>();
        var hub = new Dictionary<int, HubChatClient>();
        try
        {
            for (var c = 0; c < clients; c++)
            {
                var node = cluster[c % nodes];
                var user = $"u{c}";
                if (c / nodes % 2 == 0)
                {
                    raw[c] = await node.LoginRawAsync(user, TestUsers.PasswordOf(user), cancellationToken: ct);
                }
                else
                {
                    var token = await node.GetTokenAsync(user, TestUsers.PasswordOf(user), ct);
                    hub[c] = await HubChatClient.ConnectAsync(node.HubUri, token, cancellationToken: ct);
                }
            }

            var expected = clients * messagesPerClient - messagesPerClient;
            var work = Enumerable.Range(0, clients).Select(c => raw.TryGetValue(c, out var r)
                ? Task.Run(() => RawSendAndReceiveAsync(r, $"u{c}", messagesPerClient, expected, ct), ct)
                : Task.Run(() => HubSendAndReceiveAsync(hub[c], $"u{c}", messagesPerClient, expected, ct), ct)).ToArray();
            var results = await Task.WhenAll(work);

            var everyId = results.SelectMany(r => r.Sent).ToList();
            Assert.That(everyId, Is.Unique, "one id per stored message, across nodes");
            Assert.That(everyId, Has.Count.EqualTo(clients * messagesPerClient));
            for (var c = 0; c < clients; c++)
            {
                var user = $"u{c}";
                var received = results[c].Received;
                Assert.That(received.Select(m => m.From), Has.None.EqualTo(user), $"{user} never receives its own message");
                Assert.That(received.Select(m => m.Id), Is.Unique, $"{user} receives each message once");
                Assert.That(
                    received.Select(m => m.Id).Order(),
                    Is.EqualTo(results.Where((_, other) => other != c).SelectMany(r => r.Sent).Order()),
                    $"{user} receives every other client's messages");
                foreach (var sender in received.GroupBy(m => m.From))
                {
                    Assert.That(
                        sender.Select(m => int.Parse(m.Message[(m.Message.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture)),
                        Is.EqualTo(Enumerable.Range(0, messagesPerClient)),
                        $"{user} gets {sender.Key}'s messages in the order sent");
                }
            }

            // A last message from u0: everyone's next message is it, so no duplicate was still on its way.
            var fence = await raw[0].SendAndAckAsync("fence", "fence", "fence", ct);
            foreach (var (c, client) in raw.Where(r => r.Key != 0))
            {
                Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), $"u{c}'s next frame");
            }

            foreach (var (c, client) in hub)
            {
                Assert.That((await client.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(fence.Id), $"u{c}'s next message");
            }
        }
        finally
        {
            foreach (var client in raw.Values)
            {
                await client.DisposeAsync();
            }

            foreach (var client in hub.Values)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Sends <paramref name="count"/> messages <c>user:n</c> without waiting, then reads until every ack and <paramref name="expected"/> messages arrived.</summary>
    private static async Task<(List<long> Sent, List<ChatMessage> Received)> RawSendAndReceiveAsync(RawChatClient client, string user, int count, int expected, CancellationToken ct)
    {
        var sending = Task.Run(async () =>
        {
            for (var n = 0; n < count; n++)
            {
                await client.SendChatAsync("load", $"{user}:{n}", $"{n}", ct);
            }
        }, ct);
        var sent = new List<long>();
        var received = new List<ChatMessage>();
        while (sent.Count < count || received.Count < expected)
        {
            var text = await client.ReceiveTextAsync(ct);
            if (RawChatMessage.IsAck(text))
            {
                var ack = RawAck.Parse(text);
                Assert.That(ack.Ref, Is.EqualTo($"{sent.Count}"), $"{user}'s acks in the order sent");
                sent.Add(ack.Id);
            }
            else
            {
                var message = RawChatMessage.Parse(text);
                received.Add(new ChatMessage(message.Thread, message.Message, message.From, message.Id, default));
            }
        }

        await sending;
        return (sent, received);
    }

    private static async Task<(List<long> Sent, List<ChatMessage> Received)> HubSendAndReceiveAsync(HubChatClient client, string user, int count, int expected, CancellationToken ct)
    {
        var receiving = Task.Run(async () =>
        {
            var received = new List<ChatMessage>();
            while (received.Count < expected)
            {
                received.Add(await client.ReceiveAsync(cancellationToken: ct));
            }

            return received;
        }, ct);
        var sent = new List<long>();
        for (var n = 0; n < count; n++)
        {
            sent.Add((await client.SendAsync("load", $"{user}:{n}", ct)).Id);
        }

        return (sent, await receiving);
    }
}
