using System.Net;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Moderation;

/// <summary>
/// An admin's kick (issue 16, point 5) on one node: the raw <c>{"kick"}</c> frame and the hub's <c>Kick</c> close every
/// connection of the user, raw and SignalR; a user who is not an admin, or a name that is not a user, is refused and
/// nobody is disturbed.
/// </summary>
[CancelAfter(60_000)]
public class KickTests
{
    [Test]
    public async Task AnAdminsRawKickClosesEveryConnectionOfTheUserAndTheKickerGetsTheAck(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var bobRaw = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var bobRawToo = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var bobHub = await server.ConnectHubAsync("bob", cancellationToken: ct);
        var bobHubClosed = Kicked.ClosedAsync(bobHub.Connection);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k1\"}", ct);

        var ack = await alice.ReceiveJsonAsync(ct);
        Assert.Multiple(() =>
        {
            Assert.That(ack.GetProperty("ref").GetString(), Is.EqualTo("k1"));
            Assert.That(ack.GetProperty("kicked").GetString(), Is.EqualTo("bob"));
            Assert.That(ack.GetProperty("until").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
        });
        await Kicked.AssertKickedAsync(bobRaw, "bob's first raw connection", ct);
        await Kicked.AssertKickedAsync(bobRawToo, "bob's second raw connection", ct);
        var error = await bobHubClosed.WaitAsync(RawChatClient.DefaultTimeout, ct);
        Assert.That(error, Is.InstanceOf<HubException>().With.Message.Contains("kicked"), "bob's SignalR connection closes with the reason");

        // The others go on.
        await alice.SendChatAsync("t-after", "still here", cancellationToken: ct);
        Assert.That((await carol.ReceiveMessageAsync(ct)).Message, Is.EqualTo("still here"));
    }

    [Test]
    public async Task AKickByAUserWhoIsNotAnAdminIsRefusedAndDisturbsNobody(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);
        await using var carolHub = await server.ConnectHubAsync("carol", cancellationToken: ct);

        await carol.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k1\"}", ct);
        Assert.That(await carol.ReceiveTextAsync(ct), Is.EqualTo("{\"error\":\"not allowed\",\"ref\":\"k1\"}"));
        await Assert.ThatAsync(() => carolHub.Connection.InvokeAsync<KickResponse>("Kick", "bob", ct), Throws.InstanceOf<HubException>().With.Message.Contains("not allowed"));

        // bob and carol are still connected and chatting, and bob may still log in.
        await carol.SendChatAsync("t-nobody", "hello bob", cancellationToken: ct);
        Assert.That((await bob.ReceiveMessageAsync(ct)).Message, Is.EqualTo("hello bob"));
        await bob.SendChatAsync("t-nobody", "hello carol", cancellationToken: ct);
        Assert.That((await carol.ReceiveMessageAsync(ct)).Message, Is.EqualTo("hello carol"));
        await using var bobAgain = await server.LoginRawAsync("bob", cancellationToken: ct);
    }

    [Test]
    public async Task AKickOfANameThatIsNotAUserOrNotAStringIsRefusedWithItsReason(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var aliceHub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"nobody\", \"ref\": \"k2\"}", ct);
        Assert.That(await alice.ReceiveTextAsync(ct), Is.EqualTo("{\"error\":\"unknown user\",\"ref\":\"k2\"}"));
        await alice.SendTextAsync("{\"kick\": 7, \"ref\": \"k3\"}", ct);
        Assert.That(await alice.ReceiveTextAsync(ct), Is.EqualTo("{\"error\":\"kick must be a user name\",\"ref\":\"k3\"}"));
        await Assert.ThatAsync(() => aliceHub.Connection.InvokeAsync<KickResponse>("Kick", "nobody", ct), Throws.InstanceOf<HubException>().With.Message.Contains("unknown user"));

        // The admin's connection stays open.
        await alice.SendAndAckAsync("t-unknown", "still open", "c1", ct);
    }

    [Test]
    public async Task TheHubsKickClosesTheUsersConnectionsAndReturnsTheKick(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var bobRaw = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var bobHub = await server.ConnectHubAsync("bob", cancellationToken: ct);
        var bobHubClosed = Kicked.ClosedAsync(bobHub.Connection);
        await using var aliceHub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        var kicked = await aliceHub.Connection.InvokeAsync<KickResponse>("Kick", "bob", ct);

        Assert.That(kicked.User, Is.EqualTo("bob"));
        Assert.That(kicked.Until, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(9)).And.LessThan(DateTimeOffset.UtcNow.AddMinutes(11)), "Chatter:KickMinutes defaults to 10");
        await Kicked.AssertKickedAsync(bobRaw, "bob's raw connection", ct);
        Assert.That(await bobHubClosed.WaitAsync(RawChatClient.DefaultTimeout, ct), Is.InstanceOf<HubException>().With.Message.Contains("kicked"));
        Assert.That(aliceHub.Connection.State, Is.EqualTo(HubConnectionState.Connected));
    }

    [Test]
    public async Task AnAdminMayKickThemselves(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var aliceToo = await server.LoginRawAsync("alice", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"alice\", \"ref\": \"me\"}", ct);

        // Its own connection may close before the ack goes out; it is never refused.
        var (status, before) = await alice.ReceiveCloseAsync(ct);
        Assert.That(before.Where(frame => frame != Kicked.Frame), Is.All.Contains("\"kicked\":\"alice\""), "no refusal");
        Assert.That((before.Count > 0 ? before[^1] : null, status), Is.EqualTo((Kicked.Frame, (System.Net.WebSockets.WebSocketCloseStatus?)System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation)));
        await Kicked.AssertKickedAsync(aliceToo, "alice's other connection", ct);
        await Kicked.AssertRawLoginKickedAsync(server, "alice", ct);
        Assert.That(await server.PostTokenStatusAsync("alice", ChatterServer.DefaultUsers["alice"], ct), Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
