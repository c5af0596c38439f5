using System.Net.WebSockets;
using System.Text;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// Frames a raw client sends while its previous frame is still being stored reach the store together (so they share
/// one commit), and each is answered and broadcast exactly as it would have been alone, in the order sent.
/// </summary>
[CancelAfter(60_000)]
public class BatchedFramesTests
{
    [Test]
    public async Task FramesWaitingBehindABusyStoreAreStoredTogetherAndAnsweredInTheOrderSent(CancellationToken ct)
    {
        var (server, history) = await ChatterServerHistory.StartWithHistoryAsync(inner => new GatedHistory(inner));
        await using var serverLifetime = server;
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var hubReceiver = await HubChatClient.ConnectAsync(server.HubUri, await server.GetTokenAsync("test3", cancellationToken: ct), cancellationToken: ct);

        // The first frame holds the store; the rest arrive while it does.
        await sender.SendChatAsync("batch", "m0", "r0", ct);
        await history.WaitForStartedAsync(1, ct);
        await sender.SendChatAsync("batch", "m1", "r1", ct);
        await sender.SendJsonAsync(new { thread = "batch", message = "m2" }, ct);
        await sender.SendTextAsync("{nope", ct);
        await sender.SendJsonAsync(new { thread = "batch", @ref = "r4" }, ct);
        await sender.SendAsync(Encoding.UTF8.GetBytes("{}"), WebSocketMessageType.Binary, ct);
        await sender.SendChatAsync("batch", "m6", "r:6-", ct);
        await sender.SendChatAsync("", "m7", "r7", ct);
        for (var i = 8; i < 12; i++)
        {
            await sender.SendChatAsync("batch", $"m{i}", $"r{i}", ct);
        }

        string[] stored = ["m0", "m1", "m2", "m6", "m8", "m9", "m10", "m11"];
        var groups = new List<int>();
        for (var released = 0; released < stored.Length; released += groups[^1])
        {
            await history.WaitForStartedAsync(released + 1, ct);
            groups.Add(history.ReleaseAll());
        }

        TestContext.Out.WriteLine($"appends released in groups of {string.Join(", ", groups)}");
        Assert.That(groups.Max(), Is.GreaterThanOrEqualTo(2), "frames that waited behind the first reached the store before any of them was stored");

        // The sender's answers, in the order of its frames: the ack or nothing on success, the error otherwise.
        var acks = new List<RawAck> { await sender.ReceiveAckAsync(ct), await sender.ReceiveAckAsync(ct) };
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("invalid JSON", null)));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("message is required", "r4")));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("binary frames are not supported", null)));
        acks.Add(await sender.ReceiveAckAsync(ct));
        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("thread must not be empty", "r7")));
        for (var i = 8; i < 12; i++)
        {
            acks.Add(await sender.ReceiveAckAsync(ct));
        }

        Assert.Multiple(() =>
        {
            Assert.That(acks.Select(a => a.Ref), Is.EqualTo(new[] { "r0", "r1", "r:6-", "r8", "r9", "r10", "r11" }));
            Assert.That(acks.Select(a => a.Id), Is.Ordered.Ascending.And.Unique);
        });

        // Everyone else got the stored messages, in the order sent, and nothing else.
        var raw = new List<RawChatMessage>();
        var hub = new List<string>();
        foreach (var _ in stored)
        {
            raw.Add(await receiver.ReceiveMessageAsync(ct));
            hub.Add((await hubReceiver.ReceiveAsync(cancellationToken: ct)).Message);
        }

        Assert.Multiple(() =>
        {
            Assert.That(raw.Select(m => m.Message), Is.EqualTo(stored));
            Assert.That(raw.Select(m => m.Id), Is.Ordered.Ascending);
            Assert.That(hub, Is.EqualTo(stored));
        });

        history.Open();
        await receiver.AssertNothingBeforeOwnAckAsync("other", ct);
        Assert.That((await hubReceiver.GetHistoryAsync("batch", null, 100, ct)).Select(m => m.Message), Is.EqualTo(stored), "the store holds exactly the accepted messages");
    }

    [Test]
    public async Task SignalRClientsCanSendSeveralMessagesInOneCallAndGetOneResultEach(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await HubChatClient.ConnectAsync(server.HubUri, await server.GetTokenAsync("test1", cancellationToken: ct), cancellationToken: ct);

        var results = await client.Connection.InvokeAsync<System.Text.Json.JsonElement[]>(
            "SendMessages", new object[] { new { thread = "t", message = "one", @ref = "a" }, new { thread = "", message = "no thread", @ref = "b" } }, ct);

        Assert.That(results, Has.Length.EqualTo(2));
        Assert.That(results[0].GetProperty("ref").GetString(), Is.EqualTo("a"));
        Assert.That(results[0].GetProperty("stored").GetProperty("message").GetString(), Is.EqualTo("one"));
        Assert.That(results[1].GetProperty("error").GetString(), Is.Not.Null.And.Not.Empty);
        Assert.That((await client.GetHistoryAsync("t", null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "one" }), "only the valid one was stored");
    }
}
