using Chatter.Protocol;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Backplane;

/// <summary>Replay, <c>since</c> and <c>GetHistory</c> across nodes sharing the Redis history.</summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class ReplayAcrossNodesTests : RedisTestBase
{
    [TestCase("raw")]
    [TestCase("signalr")]
    public async Task AMessageReplayedOnOneNodeAndBroadcastLaterFromAnotherArrivesOnce(string joinerTransport, CancellationToken ct)
    {
        // Node 1 stores a message but broadcasts it only after a client of node 0 has logged in and had it replayed:
        // the live copy then crosses Redis serialized only, and node 0 must still recognise it by its id.
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, configureNode: (node, services) =>
        {
            if (node == 1)
            {
                services.AddSingleton<IChatHistory>(provider => new HeldBroadcastHistory(provider.GetRequiredService<RedisChatHistory>()));
            }
        });
        var held = (HeldBroadcastHistory)cluster[1].App.Services.GetRequiredService<IChatHistory>();
        await using var sender = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);
        await sender.SendChatAsync("seam", "stored, broadcast late", "late", ct);
        var stored = await held.Stored.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);

        await using var rawJoiner = joinerTransport == "raw" ? await cluster[0].LoginRawAsync("test2", cancellationToken: ct) : null;
        await using var hubJoiner = joinerTransport == "signalr" ? await cluster[0].ConnectHubAsync("test2", cancellationToken: ct) : null;
        Func<Task<long>> nextId = rawJoiner is not null
            ? async () => (await rawJoiner.ReceiveMessageAsync(ct)).Id
            : async () => (await hubJoiner!.ReceiveAsync(cancellationToken: ct)).Id;
        Assert.That(await nextId(), Is.EqualTo(stored.Id), "replayed");

        held.Release.SetResult();
        Assert.That((await sender.ReceiveAckAsync(ct)).Id, Is.EqualTo(stored.Id));
        var fence = await sender.SendAndAckAsync("seam", "fence", "fence", ct);

        Assert.That(await nextId(), Is.EqualTo(fence.Id), "the late live copy was dropped; the next message is the fence");
    }

    [Test]
    public async Task AClientMovingToAnotherNodeWithSinceGetsExactlyWhatItMissed(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        await using var sender = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        long lastSeen;
        await using (var mover = await cluster[0].LoginRawAsync("test2", cancellationToken: ct))
        {
            await sender.SendAndAckAsync("t", "seen", "0", ct);
            lastSeen = (await mover.ReceiveMessageAsync(ct)).Id;
        }

        var missed = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            missed.Add((await sender.SendAndAckAsync("t", $"missed {i}", $"{i}", ct)).Id);
        }

        await using var moved = await cluster[1].LoginRawAsync("test2", since: lastSeen, cancellationToken: ct);
        foreach (var id in missed)
        {
            Assert.That((await moved.ReceiveMessageAsync(ct)).Id, Is.EqualTo(id));
        }

        await moved.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task GetHistoryOnOneNodePagesWhatEveryNodeStored(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 3);
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            await using var client = await cluster[i % 3].ConnectHubAsync("test1", cancellationToken: ct);
            ids.Add((await client.SendAsync("paged", $"m{i}", ct)).Id);
        }

        await using var reader = await cluster[2].ConnectHubAsync("test2", cancellationToken: ct);
        var page = await reader.GetHistoryAsync("paged", ids[5], 3, ct);
        Assert.That(page.Select(m => m.Message), Is.EqualTo(new[] { "m2", "m3", "m4" }));
        var all = await reader.GetHistoryAsync(null, null, 10, ct);
        Assert.That(all.Select(m => m.Id), Is.EqualTo(ids));
    }
}
