using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Each connection has a token bucket (default 20 messages a second, bursts of 40). Past it the sender gets
/// <c>{"error":"rate limited"}</c> (SignalR: a HubException), the message is neither stored nor broadcast, and the
/// connection stays open.
/// </summary>
[CancelAfter(90_000)]
public class MessageRateLimitTests
{
    private const int Flood = 100;

    [Test]
    public async Task ARawFloodPastTheBurstIsRefusedNotStoredNotSentAndTheConnectionStaysOpen(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        for (var i = 0; i < Flood; i++)
        {
            await sender.SendChatAsync("flood", $"m{i}", $"r{i}", ct);
        }

        var acked = new List<long>();
        var refused = new List<string>();
        for (var i = 0; i < Flood; i++)
        {
            var reply = (await sender.ReceiveJsonAsync(ct)).Clone();
            Assert.That(reply.GetProperty(reply.TryGetProperty("ack", out _) ? "ack" : "ref").GetString(), Is.EqualTo($"r{i}"), "replies come in the order sent");
            if (reply.TryGetProperty("ack", out _))
            {
                acked.Add(reply.GetProperty("id").GetInt64());
            }
            else
            {
                Assert.That(reply.GetProperty("error").GetString(), Is.EqualTo("rate limited"));
                refused.Add(reply.GetProperty("ref").GetString()!);
            }
        }

        TestContext.Out.WriteLine($"{acked.Count} acked, {refused.Count} refused as rate limited");
        Assert.Multiple(() =>
        {
            // The burst of 40 passes; refills while the flood is processed may let a few more through.
            Assert.That(acked.Count, Is.InRange(40, 70));
            Assert.That(refused, Has.Count.EqualTo(Flood - acked.Count));
        });

        // The others got exactly the accepted messages.
        var delivered = new List<long>();
        for (var i = 0; i < acked.Count; i++)
        {
            delivered.Add((await receiver.ReceiveMessageAsync(ct)).Id);
        }

        Assert.That(delivered, Is.EqualTo(acked));
        await receiver.AssertNothingBeforeOwnAckAsync("probe", ct);

        // The history holds exactly the accepted ones (and the receiver's probe).
        await using var joiner = await server.LoginRawAsync("test3", cancellationToken: ct);
        await joiner.SendChatAsync("probe", "joined", "j", ct);
        var replayed = new List<long>();
        for (var text = await joiner.ReceiveTextAsync(ct); !RawChatMessage.IsAck(text); text = await joiner.ReceiveTextAsync(ct))
        {
            var message = RawChatMessage.Parse(text);
            if (message.Thread == "flood")
            {
                replayed.Add(message.Id);
            }
        }

        Assert.That(replayed, Is.EqualTo(acked), "stored: the accepted messages only");

        // The sender is still connected: once the bucket refills, its messages go through again.
        RawAck? later = null;
        for (var attempt = 0; later is null && attempt < 10_000; attempt++)
        {
            await sender.SendChatAsync("flood", "after the flood", $"after{attempt}", ct);
            var reply = await sender.ReceiveTextAsync(ct);
            later = RawChatMessage.IsAck(reply) ? RawAck.Parse(reply) : null;
        }

        Assert.That(later, Is.Not.Null, "a message after the refill is accepted on the same connection");
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Message, Is.EqualTo("joined"));
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Message, Is.EqualTo("after the flood"));
        Assert.That(server.Logs.WithEventId(600).Count(), Is.EqualTo(1), "the refusals are logged once, not once per message");
    }

    [Test]
    public async Task ASignalRFloodPastTheBurstGetsHubExceptionsAndOnlyAcceptedMessagesAreSent(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.ConnectHubAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        var calls = Enumerable.Range(0, Flood).Select(i => sender.SendAsync("flood", $"m{i}", ct)).ToList();
        var accepted = new List<long>();
        foreach (var call in calls)
        {
            try
            {
                accepted.Add((await call).Id);
            }
            catch (HubException ex)
            {
                Assert.That(ex.Message, Does.EndWith("rate limited"));
            }
        }

        Assert.That(accepted.Count, Is.InRange(40, 70));
        var delivered = new List<long>();
        for (var i = 0; i < accepted.Count; i++)
        {
            delivered.Add((await receiver.ReceiveMessageAsync(ct)).Id);
        }

        Assert.That(delivered, Is.EqualTo(accepted));
        await receiver.AssertNothingBeforeOwnAckAsync("probe", ct);
        Assert.That(sender.Connection.State, Is.EqualTo(HubConnectionState.Connected));
    }

    [Test]
    public async Task ZeroTurnsTheLimitOff(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        for (var i = 0; i < Flood; i++)
        {
            await sender.SendChatAsync("flood", $"m{i}", $"r{i}", ct);
        }

        for (var i = 0; i < Flood; i++)
        {
            Assert.That(RawChatMessage.IsAck(await sender.ReceiveTextAsync(ct)), Is.True, $"reply {i}");
        }
    }
}
