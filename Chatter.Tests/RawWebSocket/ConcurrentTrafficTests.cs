using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>Many raw clients sending at once: each gets every message of the others exactly once, none of its own, each sender's in order.</summary>
[CancelAfter(60_000)]
public class ConcurrentTrafficTests
{
    private const int Clients = 20;
    private const int MessagesEach = 50;

    [Test]
    public async Task TwentyClientsSendingFiftyMessagesEachReceiveEveryOtherMessageOnceAndInOrder(CancellationToken ct)
    {
        var users = TestUsers.Numbered(Clients);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, users);
        var clients = new RawChatClient[Clients];
        for (var i = 0; i < Clients; i++)
        {
            clients[i] = await server.LoginRawAsync($"u{i}", TestUsers.PasswordOf($"u{i}"), cancellationToken: ct);
        }

        try
        {
            // Every client pipelines its messages (no waiting for acks) while all the others do the same.
            var sending = clients.Select((client, i) => Task.Run(
                async () =>
                {
                    for (var n = 0; n < MessagesEach; n++)
                    {
                        await client.SendChatAsync($"thread{n % 4}", $"u{i}:{n}", $"{n}", ct);
                    }
                },
                ct));
            var receiving = clients.Select((client, i) => ReceiveAllAsync(client, $"u{i}", ct)).ToArray();
            await Task.WhenAll(sending);
            await Task.WhenAll(receiving);

            // A last message after every ack: each other client's next frame is it, so nothing else was on its way.
            var fence = await clients[0].SendAndAckAsync("fence", "fence", "fence", ct);
            foreach (var client in clients.Skip(1))
            {
                Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id));
            }

            Assert.That(clients.All(c => c.HasNoPendingFrame), Is.True);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Reads until <paramref name="self"/> has all 50 of its acks and all 19×50 messages of the others, checking
    /// as it goes: no message of its own, no duplicate, each sender's messages and its own acks in the order sent.
    /// </summary>
    private static async Task ReceiveAllAsync(RawChatClient client, string self, CancellationToken ct)
    {
        var nextFrom = new Dictionary<string, int>();
        var acks = 0;
        var messages = 0;
        while (acks < MessagesEach || messages < (Clients - 1) * MessagesEach)
        {
            var text = await client.ReceiveTextAsync(ct);
            if (RawChatMessage.IsAck(text))
            {
                Assert.That(RawAck.Parse(text).Ref, Is.EqualTo($"{acks}"), $"{self}'s acks in the order sent");
                acks++;
                continue;
            }

            var message = RawChatMessage.Parse(text);
            Assert.That(message.From, Is.Not.EqualTo(self), $"{self} got its own message back: {text}");
            var sequence = int.Parse(message.Message[(message.Message.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(message.Message, Does.StartWith(message.From + ":"), $"from is the sender: {text}");
            var expected = nextFrom.GetValueOrDefault(message.From);
            Assert.That(sequence, Is.EqualTo(expected), $"{self}: {message.From}'s messages in the order sent, once each");
            nextFrom[message.From] = expected + 1;
            messages++;
        }

        Assert.That(nextFrom, Has.Count.EqualTo(Clients - 1));
        Assert.That(nextFrom.Values, Has.All.EqualTo(MessagesEach));
    }
}
