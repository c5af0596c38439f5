using System.Text.Json;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;

namespace Chatter.Tests.Conversations;

/// <summary>
/// The privacy scenario of issue 16, point 1, on one node or spread over several: alice and bob write to each other
/// (<c>@bob</c>, <c>@alice</c>), each with a v1 and a v2 connection; carol, with a raw v1, a raw v2 and a SignalR
/// connection, must not see a word of it by any path: live, replay, <c>since</c>, checkpoints that stall, pages with and
/// without a thread, guessed thread names, SignalR <c>GetHistory</c>.
/// </summary>
public static class DirectMessageScenario
{
    public const string FromAlice = "secret from alice";
    public const string FromBob = "secret from bob";

    /// <summary>Runs it; <paramref name="node"/> picks the server of the i-th connection (so 0 and 1 alternate over two nodes).</summary>
    public static async Task RunAsync(Func<int, ChatterServer> node, CancellationToken ct)
    {
        await using var alice = await node(0).LoginRawAsync("alice", cancellationToken: ct);
        var (aliceV2, _) = await node(1).LoginV2Async("alice", cancellationToken: ct);
        await using var _ = aliceV2;
        var (bob, _) = await node(1).LoginV2Async("bob", cancellationToken: ct);
        await using var __ = bob;
        await using var bobV1 = await node(0).LoginRawAsync("bob", cancellationToken: ct);
        var (carol, _) = await node(0).LoginV2Async("carol", cancellationToken: ct);
        await using var ___ = carol;
        await using var carolV1 = await node(1).LoginRawAsync("carol", cancellationToken: ct);
        await using var carolHub = await node(1).ConnectHubAsync("carol", cancellationToken: ct);
        await using var test1 = await node(0).LoginRawAsync("test1", cancellationToken: ct);

        // Live: each of the two gets it on every connection but the sender's, named after the other party.
        var toBob = await alice.SendAndAckAsync("@bob", FromAlice, "d1", ct);
        foreach (var bobs in new[] { bob, bobV1 })
        {
            var got = await NextMessageAsync(bobs, ct);
            Assert.That((got.Thread, got.From, got.Message, got.Id), Is.EqualTo(("@alice", "alice", FromAlice, toBob.Id)));
        }

        Assert.That((await NextMessageAsync(aliceV2, ct)).Thread, Is.EqualTo("@bob"), "the sender's other connection sees it under @bob");
        var toAlice = await bob.SendAndAckAsync("@alice", FromBob, "d2", ct);
        foreach (var alices in new[] { alice, aliceV2 })
        {
            var got = await NextMessageAsync(alices, ct);
            Assert.That((got.Thread, got.From, got.Message, got.Id), Is.EqualTo(("@bob", "bob", FromBob, toAlice.Id)));
        }

        Assert.That((await NextMessageAsync(bobV1, ct)).Thread, Is.EqualTo("@alice"));

        // A public fence: for every connection the next message is it, so nothing private came first (and no sender
        // got its own message back).
        var fence = await test1.SendAndAckAsync("general", "fence", "f", ct);
        foreach (var client in new[] { alice, aliceV2, bob, bobV1, carol, carolV1 })
        {
            Assert.That((await NextMessageAsync(client, ct)).Id, Is.EqualTo(fence.Id));
        }

        Assert.That((await carolHub.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(fence.Id));

        // Carol's checkpoints pass the ids she may not see (ids are dense; otherwise they would stall below them).
        Assert.That(await CheckpointReachingAsync(carol, fence.Id, ct), Is.EqualTo(fence.Id));

        await AssertCarolReadsNothingPrivateAsync(node, carol, carolHub, ct);

        // The two read it back: replay and pages, named after the other party.
        var (bobAgain, bobsReplay) = await node(0).LoginV2Async("bob", cancellationToken: ct);
        await using var ____ = bobAgain;
        Assert.That(bobsReplay.Replay.Where(m => m.Id == toBob.Id || m.Id == toAlice.Id).Select(m => (m.Thread, m.Message)),
            Is.EqualTo(new[] { ("@alice", FromAlice), ("@alice", FromBob) }));
        var alicesPage = await PageAsync(aliceV2, "@bob", ct);
        Assert.That(alicesPage.Select(m => (m.Thread, m.From)), Is.EqualTo(new[] { ("@bob", "alice"), ("@bob", "bob") }));
        Assert.That((await PageAsync(bobAgain, null, ct)).Count(m => m.Thread == "@alice"), Is.EqualTo(2), "a page of all threads holds them too");
    }

    /// <summary>Every read path of carol's: nothing of alice's and bob's messages.</summary>
    private static async Task AssertCarolReadsNothingPrivateAsync(Func<int, ChatterServer> node, RawChatClient carol, HubChatClient carolHub, CancellationToken ct)
    {
        var (fresh, replay) = await node(1).LoginV2Async("carol", cancellationToken: ct);
        await using var _ = fresh;
        var (since, sinceReplay) = await node(0).LoginV2Async("carol", since: 0, cancellationToken: ct);
        await using var __ = since;
        Assert.Multiple(() =>
        {
            Assert.That(replay.Replay.Select(m => m.Message), Has.None.Contains("secret"), "replay");
            Assert.That(replay.Replay.Select(m => m.Message), Does.Contain("fence"));
            Assert.That(sinceReplay.Replay.Select(m => m.Message), Has.None.Contains("secret"), "since 0");
        });

        Assert.That(await PageAsync(carol, null, ct), Has.None.Matches<RawChatMessage>(m => m.Message.Contains("secret")), "a page of all threads");
        foreach (var guess in new[] { "@alice", "@bob", "5:alice|bob", "alice", "bob" })
        {
            Assert.That(await PageAsync(carol, guess, ct), Is.Empty, $"a page of {guess}");
        }

        await carol.SendJsonAsync(new { history = new { thread = "@5:alice|bob", limit = 10 }, @ref = "g" }, ct);
        Assert.That((await carol.ReceiveErrorAsync(ct)).Reason, Is.EqualTo("unknown user"), "the stored key is no name a client can ask for");

        var hubPage = await carolHub.GetHistoryAsync(null, null, 100, ct);
        Assert.That(hubPage.Select(m => m.Message), Has.None.Contains("secret").And.Contains("fence"), "GetHistory of all threads");
        Assert.That(await carolHub.GetHistoryAsync("@alice", null, 100, ct), Is.Empty, "GetHistory of @alice");
    }

    /// <summary>The next chat message, past any checkpoint (v2 connections get them between messages).</summary>
    public static async Task<RawChatMessage> NextMessageAsync(RawChatClient client, CancellationToken ct)
    {
        while (true)
        {
            var text = await client.ReceiveTextAsync(ct);
            if (!text.StartsWith("{\"upTo\":", StringComparison.Ordinal))
            {
                return RawChatMessage.Parse(text);
            }
        }
    }

    /// <summary>Reads checkpoints until one reaches <paramref name="id"/>; every frame meanwhile must be a checkpoint.</summary>
    public static async Task<long> CheckpointReachingAsync(RawChatClient client, long id, CancellationToken ct)
    {
        while (true)
        {
            var upTo = await client.ReceiveCheckpointAsync(ct);
            if (upTo >= id)
            {
                return upTo;
            }
        }
    }

    /// <summary>A page of history through <c>{"history": {...}}</c>; the answer must be the next frame.</summary>
    public static async Task<IReadOnlyList<RawChatMessage>> PageAsync(RawChatClient client, string? thread, CancellationToken ct)
    {
        var reference = $"h-{Guid.NewGuid():N}";
        await client.SendJsonAsync(new { history = new { thread, limit = 100 }, @ref = reference }, ct);
        string text;
        do
        {
            text = await client.ReceiveTextAsync(ct);
        }
        while (text.StartsWith("{\"upTo\":", StringComparison.Ordinal));

        using var document = JsonDocument.Parse(text);
        Assert.That(document.RootElement.GetProperty("ref").GetString(), Is.EqualTo(reference), text);
        return [.. document.RootElement.GetProperty("history").EnumerateArray().Select(m => RawChatMessage.Parse(m.GetRawText()))];
    }
}
