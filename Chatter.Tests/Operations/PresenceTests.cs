using System.Net;
using System.Net.Http.Headers;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Operations;

/// <summary>
/// Presence: <c>GetOnlineUsers()</c> and <c>GET /api/presence</c> say who is online; hub clients opt in to
/// <c>UserJoined</c>/<c>UserLeft</c> with <c>SubscribePresence()</c>, raw clients with <c>{"presence": true}</c>
/// (then <c>{"presence":"joined","user":"x"}</c> / <c>"left"</c> frames). Raw clients that do not ask get nothing new.
/// </summary>
[CancelAfter(60_000)]
public class PresenceTests
{
    [Test]
    public async Task HubAndRawSubscribersSeeJoinsAndLeavesOthersSeeNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var hub = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var events = PresenceEvents.Of(hub);
        await using var bystander = await server.LoginRawAsync("alice", cancellationToken: ct);

        var online = await hub.Connection.InvokeAsync<string[]>("SubscribePresence", ct);
        Assert.That(online, Is.EqualTo(new[] { "alice", "test1" }));
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined alice"), "the snapshot first");
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test1"));

        var raw = await server.LoginRawAsync("test2", cancellationToken: ct);
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test2"));

        await using var watcher = await server.LoginRawAsync("test3", cancellationToken: ct);
        await watcher.SendTextAsync("{\"presence\": true}", ct);
        Assert.That(await events.NextAsync(ct), Is.EqualTo("joined test3"));
        foreach (var user in new[] { "alice", "test1", "test2", "test3" })
        {
            Assert.That(await watcher.ReceiveTextAsync(ct), Is.EqualTo($"{{\"presence\":\"joined\",\"user\":\"{user}\"}}"));
        }

        // A second connection of someone online is no news; its last connection leaving is.
        await using (var again = await server.LoginRawAsync("test2", cancellationToken: ct))
        {
            await again.AssertNothingBeforeOwnAckAsync("t", ct);
        }

        await raw.DisposeAsync();
        Assert.That(await events.NextAsync(ct), Is.EqualTo("left test2"));
        Assert.That(await watcher.ReceiveMessageAsync(ct), Has.Property("Message").EqualTo("probe"), "the probe of the second test2 connection");
        Assert.That(await watcher.ReceiveTextAsync(ct), Is.EqualTo("{\"presence\":\"left\",\"user\":\"test2\"}"));
        Assert.That(await hub.Connection.InvokeAsync<string[]>("GetOnlineUsers", ct), Is.EqualTo(new[] { "alice", "test1", "test3" }));

        // The bystander that never asked got the chat and nothing else.
        Assert.That((await bystander.ReceiveMessageAsync(ct)).Message, Is.EqualTo("probe"));
        await bystander.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task TwoHubClientsSeeARawClientComeAndGo(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.ConnectHubAsync("test1", cancellationToken: ct);
        var aEvents = PresenceEvents.Of(a);
        Assert.That(await a.Connection.InvokeAsync<string[]>("SubscribePresence", ct), Is.EqualTo(new[] { "test1" }));
        Assert.That(await aEvents.NextAsync(ct), Is.EqualTo("joined test1"));

        await using var b = await server.ConnectHubAsync("test2", cancellationToken: ct);
        var bEvents = PresenceEvents.Of(b);
        Assert.That(await aEvents.NextAsync(ct), Is.EqualTo("joined test2"));
        Assert.That(await b.Connection.InvokeAsync<string[]>("SubscribePresence", ct), Is.EqualTo(new[] { "test1", "test2" }));
        Assert.That(await bEvents.NextAsync(ct), Is.EqualTo("joined test1"));
        Assert.That(await bEvents.NextAsync(ct), Is.EqualTo("joined test2"));

        var raw = await server.LoginRawAsync("alice", cancellationToken: ct);
        Assert.That(await aEvents.NextAsync(ct), Is.EqualTo("joined alice"));
        Assert.That(await bEvents.NextAsync(ct), Is.EqualTo("joined alice"));
        await raw.DisposeAsync();
        Assert.That(await aEvents.NextAsync(ct), Is.EqualTo("left alice"));
        Assert.That(await bEvents.NextAsync(ct), Is.EqualTo("left alice"));
    }

    [Test]
    public async Task ThePresenceEndpointNeedsATokenAndListsWhoIsOnline(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var b = await server.ConnectHubAsync("alice", cancellationToken: ct);

        using var anonymous = await server.Http.GetAsync("/api/presence", ct);
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/presence");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await server.GetTokenAsync("test1", cancellationToken: ct));
        using var response = await server.Http.SendAsync(request, ct);
        Assert.That(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(ct), Is.EqualTo("{\"users\":[\"alice\",\"test2\"]}"));
    }

    [TestCase("{\"presence\": false}")]
    [TestCase("{\"presence\": \"yes\"}")]
    public async Task APresenceFrameOtherThanTrueIsRefused(string frame, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await a.SendTextAsync(frame, ct);
        Assert.That(await a.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("presence must be true", null)));
    }


}
