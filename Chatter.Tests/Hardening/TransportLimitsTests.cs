using System.Net;
using System.Net.WebSockets;
using System.Text;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>Kestrel's request limits are set deliberately, and WebSocket keep-alive reaps dead raw peers.</summary>
[CancelAfter(60_000)]
public class TransportLimitsTests
{
    [Test]
    public async Task OversizedRequestHeadersAreRefusedWith431(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Padding", new string('x', 20 * 1024));
        using var response = await server.Http.SendAsync(request, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
    }

    [Test]
    public async Task ARawPeerThatStopsAnsweringPingsIsDroppedAndALivePeerIsNot(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:KeepAliveSeconds"] = "1",
            ["Chatter:Limits:KeepAliveTimeoutSeconds"] = "1",
        });
        await using var live = await server.LoginRawAsync("test1", cancellationToken: ct);

        // A peer that logs in and then never reads again: it never answers the server's pings (a client answers a
        // ping only while it reads), as a vanished host would not.
        using var dead = new ClientWebSocket();
        dead.Options.KeepAliveInterval = TimeSpan.Zero;
        await dead.ConnectAsync(server.WsUri, ct);
        await dead.SendAsync(Encoding.UTF8.GetBytes("{\"username\":\"test2\",\"password\":\"pass2\"}"), WebSocketMessageType.Text, endOfMessage: true, ct);
        var buffer = new byte[64];
        var reply = await dead.ReceiveAsync(buffer, ct);
        Assert.That(Encoding.UTF8.GetString(buffer, 0, reply.Count), Is.EqualTo("{\"auth\": \"ok\"}"));

        var dropped = await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == "test2", TimeSpan.FromSeconds(20), ct);
        Assert.That(dropped, Is.Not.Null);

        // The reading peer answered every ping the whole time and is still there.
        await live.AssertNothingBeforeOwnAckAsync("t", ct);
    }
}
