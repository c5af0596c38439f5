using System.Net.Http.Headers;
using Chatter.Server.Hubs;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Backplane;

/// <summary>
/// With Redis, presence spans the nodes: a user joins with their first connection on any node and leaves with their last
/// on every node; <c>GetOnlineUsers</c> and <c>/api/presence</c> answer the same on each node; a killed node's users
/// are taken out by the others.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class PresenceAcrossNodesTests
{
    [Test]
    public async Task AUserJoinsWithTheFirstConnectionAnywhereAndLeavesWithTheLastEverywhere(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        await using var cluster = await ChatterCluster.StartAsync(redis, 2);
        await using var watcher = await cluster[0].ConnectHubAsync("test1", cancellationToken: ct);
        var events = PresenceEvents.Of(watcher);
        Assert.That(await watcher.Connection.InvokeAsync<string[]>("SubscribePresence", ct), Is.EqualTo(new[] { "test1" }));
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test1"));

        var onB = await cluster[1].LoginRawAsync("test2", cancellationToken: ct);
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test2"), "a join on the other node");
        Assert.That(await OnlineAsync(cluster[1], ct), Is.EqualTo("{\"users\":[\"test1\",\"test2\"]}"), "the other node's list");

        // A second connection of test2, on the first node: no news (the next event is carol's).
        var onA = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);
        await using (await cluster[1].LoginRawAsync("carol", cancellationToken: ct))
        {
            Assert.That(await events.NextAsync(ct), Is.EqualTo("joined carol"));
        }

        Assert.That(await events.NextAsync(ct), Is.EqualTo("left carol"));

        // test2's connection on B ends: still online on A (the next event is alice's).
        var goneFromB = cluster[1].Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == "test2", cancellationToken: ct);
        await onB.DisposeAsync();
        await goneFromB;
        await using var alice = await cluster[1].LoginRawAsync("alice", cancellationToken: ct);
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined alice"));
        Assert.That(await watcher.Connection.InvokeAsync<string[]>("GetOnlineUsers", ct), Is.EqualTo(new[] { "alice", "test1", "test2" }));

        await onA.DisposeAsync();
        Assert.That(await events.NextAsync(ct), Is.EqualTo("left test2"), "the last connection, on any node");
    }

    [Test]
    public async Task AKilledNodesUsersAreTakenOutByTheOthers(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        var prefix = $"t{Guid.NewGuid():N}";
        await using var survivor = await ChatterServer.StartAsync(ChatterCluster.Settings(redis, prefix));
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), """{"test2":"pass2"}""", ct);
            await using var doomed = await ChatterProcess.StartAsync(
                directory, ct, $"--Chatter:Redis:Configuration={redis.Configuration}", $"--Chatter:Redis:ChannelPrefix={prefix}", $"--Chatter:Token:SigningKey={ChatterCluster.SigningKey}");
            await using var watcher = await survivor.ConnectHubAsync("test1", cancellationToken: ct);
            var events = PresenceEvents.Of(watcher);
            await watcher.Connection.InvokeAsync<string[]>("SubscribePresence", ct);
            Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test1"));

            await using var client = await doomed.LoginRawAsync("test2", "pass2", cancellationToken: ct);
            Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test2"));

            await doomed.KillAsync(ct);
            // Swept within the heartbeat after the dead node's last beat is DeadAfter old.
            var bound = RedisPresence.DeadAfter + RedisPresence.Heartbeat + RedisPresence.Heartbeat;
            Assert.That(await events.NextAsync(ct, bound + TimeSpan.FromSeconds(10)), Is.EqualTo("left test2"));
            Assert.That(await watcher.Connection.InvokeAsync<string[]>("GetOnlineUsers", ct), Is.EqualTo(new[] { "test1" }));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> OnlineAsync(ChatterServer node, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/presence");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await node.GetTokenAsync("test1", cancellationToken: ct));
        using var response = await node.Http.SendAsync(request, ct);
        return await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(ct);
    }


}
