using System.Globalization;
using System.Threading.Channels;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// From <c>{"auth": "ok"}</c> on a client gets every stored message exactly once, the replay before any live message:
/// no gap and no duplicate between the two, however busy the server is while it logs in.
/// </summary>
[CancelAfter(60_000)]
public class LateJoinerTests
{
    private const int Senders = 2;
    private const int Joiners = 5;

    /// <summary>Messages each sender still sends once every joiner is in.</summary>
    private const int AfterLastJoin = 60;

    /// <summary>The <c>Connected</c> event of the hub (ChatHubLog), with <c>User</c> and <c>ReplayCount</c>.</summary>
    private const int ConnectedEventId = 200;

    /// <summary>Total acks after which each joiner logs in.</summary>
    private static readonly int[] JoinAfter = [0, 200, 600, 1200, 2000];

    [Test]
    public async Task JoinersUnderContinuousTrafficGetEveryMessageExactlyOnceWithoutGap(CancellationToken ct)
    {
        var users = TestUsers.Numbered(Senders, "s").Concat(TestUsers.Numbered(Joiners, "j")).ToDictionary();
        await using var server = await ChatterServer.StartAsync(
            new Dictionary<string, string?> { ["Chatter:History:ReplayLimit"] = "100000", ["Chatter:History:ReplayMaxTotal"] = "100000", ["Chatter:Limits:MessagesPerSecond"] = "0" },
            users);
        var senders = new RawChatClient[Senders];
        for (var s = 0; s < Senders; s++)
        {
            senders[s] = await server.LoginRawAsync($"s{s}", TestUsers.PasswordOf($"s{s}"), cancellationToken: ct);
        }

        var joiners = new List<RawChatClient>();
        try
        {
            // Senders send numbered messages one after the other, each waiting for its ack; every ack is counted so
            // the joiners log in at different moments of the traffic, never after a sleep.
            var acked = Channel.CreateUnbounded<long>();
            var allJoined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sending = senders.Select((sender, s) => Task.Run(() => SendUntilAsync(sender, s, allJoined.Task, acked.Writer, ct), ct)).ToArray();

            var ackCount = 0;
            foreach (var threshold in JoinAfter)
            {
                while (ackCount < threshold)
                {
                    await acked.Reader.ReadAsync(ct).AsTask().WaitAsync(RawChatClient.DefaultTimeout, ct);
                    ackCount++;
                }

                var j = joiners.Count;
                joiners.Add(await server.LoginRawAsync($"j{j}", TestUsers.PasswordOf($"j{j}"), cancellationToken: ct));
            }

            allJoined.SetResult();
            var stored = (await Task.WhenAll(sending)).SelectMany(ids => ids).Order().ToList();
            Assert.That(stored, Is.Unique);

            var joinedMidTraffic = 0;
            for (var j = 0; j < joiners.Count; j++)
            {
                var (replayed, live) = await AssertEveryMessageOnceAsync(server, joiners[j], $"j{j}", stored, ct);

                // Stored before j logged in, so replayed (the replay is taken after "auth ok").
                Assert.That(replayed, Is.GreaterThanOrEqualTo(JoinAfter[j]), $"j{j} logged in after {JoinAfter[j]} acks");
                joinedMidTraffic += replayed > 0 && live > 0 ? 1 : 0;
            }

            // A last message: each joiner's next frame is it, so no duplicate was still on its way.
            await senders[0].SendChatAsync("fence", "fence", "fence", ct);
            var fenceId = (await ReceiveAckSkippingMessagesAsync(senders[0], ct)).Id;
            foreach (var joiner in joiners)
            {
                Assert.That((await joiner.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fenceId));
                Assert.That(joiner.HasNoPendingFrame, Is.True);
            }

            // Joiners after the first log in once acks were counted and senders go on after the last join, so at
            // least one joiner crossed the seam between replay and live traffic: the case this test is about.
            Assert.That(joinedMidTraffic, Is.Positive, "no joiner got both a replay and live messages");
        }
        finally
        {
            foreach (var client in senders.Concat(joiners))
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Sends <c>s{index}:{n}</c> with ref <c>{n}</c> one at a time until <see cref="AfterLastJoin"/> more after everyone
    /// joined; the ids of its acks.
    /// </summary>
    private static async Task<List<long>> SendUntilAsync(RawChatClient sender, int index, Task allJoined, ChannelWriter<long> acked, CancellationToken ct)
    {
        var ids = new List<long>();
        var after = 0;
        for (var n = 0; after < AfterLastJoin; n++)
        {
            await sender.SendChatAsync($"thread{index}", $"s{index}:{n}", $"{n}", ct);
            var ack = await ReceiveAckSkippingMessagesAsync(sender, ct);
            Assert.That(ack.Ref, Is.EqualTo($"{n}"));
            ids.Add(ack.Id);
            acked.TryWrite(ack.Id);
            if (allJoined.IsCompleted)
            {
                after++;
            }
        }

        return ids;
    }

    /// <summary>The next ack; the other sender's messages that arrive before it are skipped.</summary>
    private static async Task<RawAck> ReceiveAckSkippingMessagesAsync(RawChatClient client, CancellationToken ct)
    {
        while (true)
        {
            var text = await client.ReceiveTextAsync(ct);
            if (RawChatMessage.IsAck(text))
            {
                return RawAck.Parse(text);
            }
        }
    }

    /// <summary>
    /// The joiner's frames hold every stored message exactly once (the replay holds all history here), each sender's
    /// in the order sent; the first frames, as many as the server's log says it replayed, are in id order and older
    /// than every live message.
    /// </summary>
    /// <returns>How many messages were replayed and how many came live.</returns>
    private static async Task<(int Replayed, int Live)> AssertEveryMessageOnceAsync(ChatterServer server, RawChatClient joiner, string user, List<long> stored, CancellationToken ct)
    {
        var expected = stored.ToHashSet();
        var ids = new List<long>();
        var seen = new HashSet<long>();
        var nextOf = new Dictionary<string, int>();
        while (ids.Count < stored.Count)
        {
            var message = await joiner.ReceiveMessageAsync(ct);
            Assert.That(expected, Does.Contain(message.Id), $"{user} got id {message.Id}, which no sender was acked");
            Assert.That(seen.Add(message.Id), Is.True, $"{user} got id {message.Id} twice");
            ids.Add(message.Id);

            var sequence = int.Parse(message.Message[(message.Message.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
            Assert.That(sequence, Is.EqualTo(nextOf.GetValueOrDefault(message.From)), $"{user}: {message.From}'s messages in the order sent, with no gap");
            nextOf[message.From] = sequence + 1;
        }

        // The hub logs the replay size before it writes the replay; every frame of it has arrived by now.
        var connected = server.Logs.WithEventId(ConnectedEventId).Single(e => LogCapture.Property(e, "User") == user);
        var replayCount = int.Parse(LogCapture.Property(connected, "ReplayCount")!, CultureInfo.InvariantCulture);
        var replay = ids.Take(replayCount).ToList();
        Assert.That(replay, Is.Ordered.Ascending, $"{user}: the replay in id order");
        if (replay.Count > 0)
        {
            Assert.That(ids.Skip(replayCount), Has.All.GreaterThan(replay[^1]), $"{user}: the replay before every live message");
        }

        return (replayCount, ids.Count - replayCount);
    }
}
