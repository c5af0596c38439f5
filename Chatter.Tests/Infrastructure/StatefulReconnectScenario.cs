using Chatter.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A SignalR client built <c>WithStatefulReconnect()</c> (alice) reaches its node through a <see cref="TcpRelay"/>;
/// bob, on the same node or another, sends. The relay cuts alice's socket while bob's messages flow, keeps her
/// away while bob sends more, she sends too and carol comes online, then lets her back. Afterwards every message has
/// arrived exactly once, counted by id, and every answer and presence event once, on the same connection (no new
/// connection, no second replay).
/// </summary>
public static class StatefulReconnectScenario
{
    /// <summary>How long one step may take.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Runs the scenario: alice on <paramref name="nodeOfAlice"/> through a relay, bob on <paramref name="nodeOfBob"/>.</summary>
    public static async Task RunAsync(ChatterServer nodeOfAlice, ChatterServer nodeOfBob, CancellationToken ct)
    {
        var thread = $"t-{Guid.NewGuid():N}";
        await using var relay = TcpRelay.Start(nodeOfAlice.HttpUri);
        var token = await nodeOfAlice.GetTokenAsync("alice", cancellationToken: ct);
        await using var alice = await HubChatClient.ConnectStatefulAsync(new Uri(relay.Uri, "/hubs/chat"), token, ct);
        await using var bob = await nodeOfBob.ConnectHubAsync("bob", cancellationToken: ct);
        var presence = PresenceEvents.Of(alice);
        // Who is online now does not matter here (bob's count may still be on its way into Redis); carol's coming does.
        await alice.Connection.InvokeAsync<string[]>("SubscribePresence", ct);
        var connectionId = alice.Connection.ConnectionId;
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        // Bob's messages flow; alice's socket is cut once she has some of them, the rest are in flight or not yet sent.
        var aliceGot = new List<ChatMessage>();
        var flood = SendManyAsync(bob, thread, "flowing", 30, ct);
        await ReceiveUntilAsync(alice, aliceGot, 10, ct);
        relay.Hold();
        Assert.That(relay.CutAll(), Is.GreaterThan(0), "the relay carried alice's connection");

        // Alice's client is trying to come back (its new socket waits in the relay): she is away for certain now.
        await relay.WaitForHeldConnectionAsync(StepTimeout, ct);
        var sentBeforeAndAtTheCut = await flood.WaitAsync(StepTimeout, ct);
        var sentDuringTheCut = await SendManyAsync(bob, thread, "during the cut", 20, ct);
        var aliceSends = Enumerable.Range(0, 5).Select(i => alice.SendAsync(thread, $"alice during the cut {i}", ct)).ToArray();
        var carol = await nodeOfBob.ConnectHubAsync("carol", cancellationToken: ct);
        relay.Release();

        var aliceStored = await Task.WhenAll(aliceSends).WaitAsync(StepTimeout, ct);
        var sentAfter = await SendManyAsync(bob, thread, "after the cut", 10, ct);
        long[] expected = [.. sentBeforeAndAtTheCut, .. sentDuringTheCut, .. sentAfter];
        await ReceiveUntilAsync(alice, aliceGot, expected.Length, ct);

        // A last message from each: whatever else was on its way (a second copy) would arrive before it.
        var bobsLast = await bob.SendAsync(thread, "bob's last", ct);
        var aliceNext = await alice.ReceiveAsync(StepTimeout, ct);
        var bobGot = new List<ChatMessage>();
        await ReceiveUntilAsync(bob, bobGot, aliceStored.Length, ct);
        var alicesLast = await alice.SendAsync(thread, "alice's last", ct);
        var bobNext = await bob.ReceiveAsync(StepTimeout, ct);
        var stored = await bob.GetHistoryAsync(thread, null, 500, ct);
        var carolCame = await NextAboutAsync(presence, "carol", ct);
        await carol.DisposeAsync();
        // Carol's leaving comes next: a second copy of her joining would come before it.
        var carolWent = await NextAboutAsync(presence, "carol", ct);

        Assert.Multiple(() =>
        {
            Assert.That(aliceGot.Select(m => m.Id), Is.Unique, "alice got no message twice");
            Assert.That(aliceGot.Select(m => m.Id), Is.EquivalentTo(expected), "alice got every message of bob's");
            Assert.That(aliceNext.Id, Is.EqualTo(bobsLast.Id), "nothing more reached alice before bob's last");
            Assert.That(bobGot.Select(m => m.Id), Is.EquivalentTo(aliceStored.Select(m => m.Id)), "bob got each of alice's messages sent during the cut once");
            Assert.That(bobNext.Id, Is.EqualTo(alicesLast.Id), "nothing more reached bob before alice's last");
            Assert.That(stored.Count(m => m.From == "alice"), Is.EqualTo(aliceStored.Length + 1), "each of alice's messages was stored once");
            Assert.That(stored.Count(m => m.From == "bob"), Is.EqualTo(expected.Length + 1), "each of bob's messages was stored once");
            Assert.That(new[] { carolCame, carolWent }, Is.EqualTo(new[] { "joined carol", "left carol" }), "alice saw carol come during the cut once");
            Assert.That(alice.Connection.State, Is.EqualTo(HubConnectionState.Connected));
            Assert.That(alice.Connection.ConnectionId, Is.EqualTo(connectionId), "the same connection resumed");
            Assert.That(closed.Task.IsCompleted, Is.False, "alice's connection never closed");
            Assert.That(
                nodeOfAlice.Logs.WithEventId(200).Count(e => LogCapture.Property(e, "ConnectionId") == connectionId),
                Is.EqualTo(1),
                "the hub saw one connection of alice's (no new one, no second replay)");
            Assert.That(
                nodeOfAlice.Logs.WithEventId(201).Where(e => LogCapture.Property(e, "ConnectionId") == connectionId),
                Is.Empty,
                "the hub never saw alice's connection end");
        });
    }

    /// <summary>Sends <paramref name="count"/> messages one after another, each acknowledged; their ids.</summary>
    public static async Task<long[]> SendManyAsync(HubChatClient client, string thread, string text, int count, CancellationToken ct)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (await client.SendAsync(thread, $"{text} {i}", ct)).Id;
        }

        return ids;
    }

    /// <summary>
    /// The next presence event about <paramref name="user"/>. Those about the others are passed over: subscribing
    /// announces who is online, and across nodes a join still on its way through Redis is announced once more.
    /// </summary>
    public static async Task<string> NextAboutAsync(PresenceEvents presence, string user, CancellationToken ct)
    {
        while (true)
        {
            var next = await presence.NextAsync(ct, StepTimeout);
            if (next.EndsWith($" {user}", StringComparison.Ordinal))
            {
                return next;
            }
        }
    }

    /// <summary>Receives into <paramref name="got"/> until it holds <paramref name="count"/> messages (each within the step timeout).</summary>
    public static async Task ReceiveUntilAsync(HubChatClient client, List<ChatMessage> got, int count, CancellationToken ct)
    {
        while (got.Count < count)
        {
            got.Add(await client.ReceiveAsync(StepTimeout, ct));
        }
    }
}
