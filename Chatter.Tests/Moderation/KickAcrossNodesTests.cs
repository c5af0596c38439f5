using System.Net;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Tests.Moderation;

/// <summary>
/// A kick across two nodes on one Redis: bob on node B, the admin on node A. Every connection of bob's on B closes at
/// once (the kick's pub/sub message), and B refuses bob's logins (the shared "kicked until" key).
/// </summary>
[CancelAfter(60_000)]
public class KickAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task AKickOnOneNodeClosesTheUsersConnectionsOnTheOtherAndItRefusesTheirLogins(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, Kicked.AliceIsAdmin());
        var (a, b) = (cluster[0], cluster[1]);
        await using var bobRaw = await b.LoginRawAsync("bob", cancellationToken: ct);
        var earlierToken = await b.GetTokenAsync("bob", cancellationToken: ct);
        await using var bobHub = await HubChatClient.ConnectAsync(b.HubUri, earlierToken, cancellationToken: ct);
        var bobHubClosed = Kicked.ClosedAsync(bobHub.Connection);
        await using var carolOnB = await b.LoginRawAsync("carol", cancellationToken: ct);
        await using var alice = await a.LoginRawAsync("alice", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k1\"}", ct);

        Assert.That((await alice.ReceiveJsonAsync(ct)).GetProperty("kicked").GetString(), Is.EqualTo("bob"));
        await Kicked.AssertKickedAsync(bobRaw, "bob's raw connection on node B", ct);
        Assert.That(await bobHubClosed.WaitAsync(RawChatClient.DefaultTimeout, ct), Is.InstanceOf<HubException>().With.Message.Contains("kicked"));

        await Kicked.AssertRawLoginKickedAsync(b, "bob", ct);
        Assert.That(await b.PostTokenStatusAsync("bob", ChatterServer.DefaultUsers["bob"], ct), Is.EqualTo(HttpStatusCode.Forbidden));
        var hub = HubChatClient.Build(b.HubUri, earlierToken);
        await using (hub)
        {
            await Assert.ThatAsync(() => hub.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Forbidden));
        }

        // carol, on the same node as bob, goes on.
        await alice.SendChatAsync("t-nodes", "carol?", cancellationToken: ct);
        Assert.That((await carolOnB.ReceiveMessageAsync(ct)).Message, Is.EqualTo("carol?"));
    }
}
