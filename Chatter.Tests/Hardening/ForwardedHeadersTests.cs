using System.Net;
using System.Net.Http.Json;
using Chatter.Protocol;
using Chatter.Server.Hosting;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Behind a reverse proxy (<c>Chatter:ForwardedHeaders:KnownProxies</c>): <c>X-Forwarded-For</c> from a trusted proxy is
/// the client's address for the login throttle and the logs; from anyone else it is ignored, as it is by default. The
/// test client connects from 127.0.0.1, so it is the proxy that is or is not trusted.
/// </summary>
[CancelAfter(60_000)]
public class ForwardedHeadersTests
{
    private const int LoginRefusedEventId = 111;
    private const string Client = "203.0.113.7";

    [TestCase("127.0.0.1", null, Client)]
    [TestCase(null, "127.0.0.0/8", Client)]
    [TestCase("192.0.2.1", null, "127.0.0.1")]
    [TestCase(null, null, "127.0.0.1")]
    public async Task ARefusedTokenLoginIsLoggedWithTheAddressOfATrustedProxysClient(string? proxy, string? network, string seen, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Trusting(proxy, network));

        using var response = await PostTokenAsync(server, "test1", "wrong", Client, ct);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var refused = await server.Logs.WaitForEventAsync(LoginRefusedEventId, e => LogCapture.Property(e, "Transport") == "token", cancellationToken: ct);
        Assert.That(LogCapture.Property(refused, "RemoteAddress"), Is.EqualTo(seen));
    }

    [TestCase("127.0.0.1", Client)]
    [TestCase("192.0.2.1", "127.0.0.1")]
    public async Task ARefusedRawLoginIsLoggedWithTheAddressOfATrustedProxysClient(string proxy, string seen, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Trusting(proxy, null));
        await using var client = await RawChatClient.ConnectAsync(server.WsUri, invoker: null, options => options.SetRequestHeader("X-Forwarded-For", Client), ct);

        await client.LoginAsync("test1", "wrong", cancellationToken: ct);

        var refused = await server.Logs.WaitForEventAsync(LoginRefusedEventId, e => LogCapture.Property(e, "Transport") == "raw", cancellationToken: ct);
        Assert.That(LogCapture.Property(refused, "RemoteAddress"), Is.EqualTo(seen));
    }

    [Test]
    public async Task TheLoginThrottleCountsEachClientBehindATrustedProxyOnItsOwn(CancellationToken ct)
    {
        var settings = Trusting("127.0.0.1", null);
        settings["Chatter:Limits:FailedLoginsPerMinute"] = "1";
        await using var server = await ChatterServer.StartAsync(settings);

        // One wrong guess for test1 from the client: that client is at its limit for test1.
        using (var first = await PostTokenAsync(server, "test1", "wrong", Client, ct))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var again = await PostTokenAsync(server, "test1", "wrong", Client, ct))
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the same client, through the same proxy");
        }

        using var neighbour = await PostTokenAsync(server, "test1", "wrong", "203.0.113.8", ct);
        Assert.That(neighbour.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "another client through the same proxy has its own count");
    }

    [TestCase("KnownProxies", "proxy.example")]
    [TestCase("KnownNetworks", "10.0.0.0/99")]
    public void AnInvalidProxyRefusesTheStartNamingTheKey(string list, string value)
    {
        var settings = new Dictionary<string, string?> { [$"{TrustedProxyOptions.Section}:{list}:0"] = value };

        var refused = Assert.ThrowsAsync<OptionsValidationException>(() => ChatterServer.StartAsync(settings));

        Assert.That(refused!.Message, Does.Contain($"{TrustedProxyOptions.Section}:{list}:0"));
    }

    private static Dictionary<string, string?> Trusting(string? proxy, string? network)
    {
        var settings = new Dictionary<string, string?>();
        if (proxy is not null)
        {
            settings[$"{TrustedProxyOptions.Section}:KnownProxies:0"] = proxy;
        }

        if (network is not null)
        {
            settings[$"{TrustedProxyOptions.Section}:KnownNetworks:0"] = network;
        }

        return settings;
    }

    private static Task<HttpResponseMessage> PostTokenAsync(ChatterServer server, string user, string password, string forwardedFor, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/token") { Content = JsonContent.Create(new TokenRequest(user, password)) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return server.Http.SendAsync(request, ct);
    }
}
