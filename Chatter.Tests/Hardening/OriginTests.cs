using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// <c>Chatter:AllowedOrigins</c>: when set, a WebSocket upgrade, hub request or token request from another browser
/// origin is refused with 403; listed origins, the server's own origin and programs without an Origin header pass.
/// </summary>
[CancelAfter(60_000)]
public class OriginTests
{
    private const string Allowed = "https://chat.example.com";
    private const string Foreign = "https://evil.example.net";

    private static readonly Dictionary<string, string?> Settings = new() { ["Chatter:AllowedOrigins:0"] = Allowed };

    [Test]
    public async Task ARawUpgradeFromAForeignOriginIsRefusedWith403(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", Foreign);
        socket.Options.CollectHttpResponseDetails = true;
        Assert.That(async () => await socket.ConnectAsync(server.WsUri, ct), Throws.InstanceOf<WebSocketException>());
        Assert.That(socket.HttpStatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(server.Logs.WithEventId(601).Single().RenderMessage(null), Does.Contain(Foreign));
    }

    [TestCase(Allowed)]
    [TestCase("https://CHAT.example.com/")]
    [TestCase(null)]
    public async Task ListedOriginsAndProgramsWithoutAnOriginLogIn(string? origin, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        await using var client = await RawChatClient.ConnectAsync(server.WsUri, invoker: null, options =>
        {
            if (origin is not null)
            {
                options.SetRequestHeader("Origin", origin);
            }
        }, ct);
        await client.LoginAsync("test1", "pass1", cancellationToken: ct);
        Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
    }

    [Test]
    public async Task TheServersOwnOriginIsAlwaysAllowed(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        var own = server.HttpUri.GetLeftPart(UriPartial.Authority);
        await using var client = await RawChatClient.ConnectAsync(server.WsUri, invoker: null, options => options.SetRequestHeader("Origin", own), ct);
        await client.LoginAsync("test1", "pass1", cancellationToken: ct);
        Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
    }

    [Test]
    public async Task TokenAndHubRequestsFromAForeignOriginAreRefusedWith403(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        using var token = new HttpRequestMessage(HttpMethod.Post, "/api/token") { Content = JsonContent.Create(new TokenRequest("test1", "pass1")) };
        token.Headers.Add("Origin", Foreign);
        using var refused = await server.Http.SendAsync(token, ct);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await refused.Content.ReadAsStringAsync(ct), Is.EqualTo("{\"error\":\"origin not allowed\"}"));

        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Origin", Foreign);
        using var hub = await server.Http.SendAsync(negotiate, ct);
        Assert.That(hub.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AnAllowedOriginGetsCorsHeadersForTheTokenEndpoint(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Settings);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/token");
        preflight.Headers.Add("Origin", Allowed);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var response = await server.Http.SendAsync(preflight, ct);
        Assert.That(response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null, Is.EqualTo(Allowed));
    }

    [Test]
    public async Task WithoutAListEveryOriginIsAllowed(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await RawChatClient.ConnectAsync(server.WsUri, invoker: null, options => options.SetRequestHeader("Origin", Foreign), ct);
        await client.LoginAsync("test1", "pass1", cancellationToken: ct);
        Assert.That(await client.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
    }
}
