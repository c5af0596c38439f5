using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Delivery;

/// <summary>
/// REVIEW M4: every connection's queue is bounded, and so is the node's: many readers that stop reading, each far from
/// its own limit, are closed once together they hold the node's <c>OutboundBudgetBytes</c>, while a reader that keeps
/// up gets every message.
/// </summary>
[CancelAfter(120_000)]
public class OutboundBudgetTests
{
    private const int Stalled = 12;
    private const int MaxMessages = 20_000;
    private const int BudgetBytes = 256 * 1024;

    [Test]
    public async Task ManyStalledReadersAreClosedWhenTogetherTheySpendTheNodesBudgetAndAReaderThatKeepsUpGetsEverything(CancellationToken ct)
    {
        var users = TestUsers.Numbered(Stalled, "stalled");
        users["sender"] = TestUsers.PasswordOf("sender");
        users["reader"] = TestUsers.PasswordOf("reader");
        await using var server = await StalledReaders.StartServerAsync(
            new Dictionary<string, string?>
            {
                ["Chatter:Limits:OutboundBudgetBytes"] = $"{BudgetBytes}",
                // Far more than the flood: no reader reaches its own bound, only the node's.
                ["Chatter:Limits:OutboundBufferMessages"] = "100000",
            },
            users);
        var stalled = await StalledReaders.LoginAsync(server, "stalled", Stalled, ct);
        await using var reader = await server.LoginRawAsync("reader", TestUsers.PasswordOf("reader"), cancellationToken: ct);
        await using var sender = await server.LoginRawAsync("sender", TestUsers.PasswordOf("sender"), cancellationToken: ct);
        var text = new string('x', 1_000);

        var reading = Task.Run(
            async () =>
            {
                var ids = new List<long>();
                while (true)
                {
                    var message = await reader.ReceiveMessageAsync(ct);
                    if (message.Message == "last")
                    {
                        return ids;
                    }

                    ids.Add(message.Id);
                }
            },
            ct);

        // Flood until every stalled reader is closed: the budget closes a reader once its send has waited a while and
        // more messages arrive, so the traffic goes on until then (bounded).
        var acked = new List<long>();
        while (server.Logs.WithEventId(304).Count() < Stalled)
        {
            Assert.That(acked, Has.Count.LessThan(MaxMessages), "the stalled readers were never all closed");
            for (var i = 0; i < 100; i++)
            {
                acked.Add((await sender.SendAndAckAsync("flood", text, $"{acked.Count}", ct)).Id);
            }
        }

        await sender.SendAndAckAsync("flood", "last", "last", ct);
        Assert.That(await reading, Is.EqualTo(acked), "the reader that keeps up got every message once, in order");
        var closed = server.Logs.WithEventId(304).Select(e => LogCapture.Property(e, "User")).ToList();
        Assert.That(closed, Is.EquivalentTo(users.Keys.Where(u => u.StartsWith("stalled", StringComparison.Ordinal))), "every stalled reader, and only they, closed by the budget");
        Assert.That(server.Logs.WithEventId(300), Is.Empty, "none reached its own queue's bound");
        foreach (var client in stalled)
        {
            Assert.That(await client.DrainUntilEndedAsync(TimeSpan.FromSeconds(30), ct), Is.True, "the server ended the stalled reader's socket");
            await client.DisposeAsync();
        }
    }
}
