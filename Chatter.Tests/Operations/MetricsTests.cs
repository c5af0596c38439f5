using System.Net;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Tests.Operations;

/// <summary><c>/metrics</c> (Prometheus, on with <c>Chatter:Metrics:Enabled</c>): Chatter's counters move with what happens.</summary>
[CancelAfter(60_000)]
public class MetricsTests
{
    private static readonly Dictionary<string, string?> Enabled = new() { ["Chatter:Metrics:Enabled"] = "true" };

    [Test]
    public async Task TheCountersMoveWithLoginsMessagesRefusalsAndDisconnects(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Enabled);
        var before = await PrometheusText.ScrapeAsync(server.Http, ct);

        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("test3", cancellationToken: ct);
        await server.AssertRawLoginRefusedAsync("test1", "wrong", ct);

        await a.SendAndAckAsync("t", "one", "1", ct);
        await a.SendAndAckAsync("t", "two", "2", ct);
        await hub.SendAsync("t", "three", ct);
        Assert.That(async () => await hub.SendAsync("", "no thread", ct), Throws.InstanceOf<HubException>());
        await a.SendTextAsync("not json", ct);
        Assert.That((await a.ReceiveMessageAsync(ct)).Message, Is.EqualTo("three"));
        await a.ReceiveErrorAsync(ct);
        for (var i = 0; i < 3; i++)
        {
            await b.ReceiveMessageAsync(ct);
        }

        var gone = server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == "test2", cancellationToken: ct);
        await b.CloseAsync();
        await gone;

        var after = await PrometheusText.ScrapeAsync(server.Http, ct);
        double Delta(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Multiple(() =>
        {
            Assert.That(Delta("chatter_logins_total", ("transport", "raw"), ("result", "ok")), Is.EqualTo(2));
            Assert.That(Delta("chatter_logins_total", ("transport", "raw"), ("result", "refused"), ("reason", "invalid credentials")), Is.EqualTo(1));
            Assert.That(Delta("chatter_logins_total", ("transport", "token"), ("result", "ok")), Is.EqualTo(1));
            Assert.That(Delta("chatter_messages_stored_total", ("transport", "raw")), Is.EqualTo(2));
            Assert.That(Delta("chatter_messages_stored_total", ("transport", "signalr")), Is.EqualTo(1));
            // Each of the 3 messages reached the 2 other connections.
            Assert.That(Delta("chatter_messages_delivered_total"), Is.EqualTo(6));
            Assert.That(Delta("chatter_frames_invalid_total", ("transport", "raw")), Is.EqualTo(1));
            Assert.That(Delta("chatter_frames_invalid_total", ("transport", "signalr")), Is.EqualTo(1));
            Assert.That(after.Sum("chatter_connections", ("transport", "raw")), Is.EqualTo(1), "test1 still connected, test2 gone");
            Assert.That(after.Sum("chatter_connections", ("transport", "signalr")), Is.EqualTo(1));
            Assert.That(Delta("chatter_disconnects_total", ("transport", "raw"), ("reason", "client")), Is.EqualTo(1));
            Assert.That(Delta("chatter_history_duration_seconds_count", ("operation", "append"), ("outcome", "ok")), Is.EqualTo(3));
            Assert.That(Delta("chatter_history_duration_seconds_count", ("operation", "replay")), Is.EqualTo(3));
            Assert.That(Delta("chatter_broadcast_duration_seconds_count"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task TheRateLimitIsCounted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>(Enabled) { ["Chatter:Limits:MessageBurst"] = "1", ["Chatter:Limits:MessagesPerSecond"] = "1" });
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        for (var i = 0; i < 5; i++)
        {
            await a.SendChatAsync("t", $"m{i}", $"{i}", ct);
        }

        var refused = 0;
        for (var i = 0; i < 5; i++)
        {
            refused += RawChatMessage.IsAck(await a.ReceiveTextAsync(ct)) ? 0 : 1;
        }

        var scrape = await PrometheusText.ScrapeAsync(server.Http, ct);
        Assert.That(refused, Is.GreaterThan(0));
        Assert.That(scrape.Sum("chatter_messages_rate_limited_total", ("transport", "raw")), Is.EqualTo(refused));
    }

    [Test]
    public async Task TheFrameworkAndRuntimeInstrumentsAreThereToo(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Enabled);
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        (await server.Http.GetAsync("/healthz", ct)).Dispose();
        var scrape = await PrometheusText.ScrapeAsync(server.Http, ct);
        Assert.Multiple(() =>
        {
            Assert.That(scrape.Has("http_server_request_duration_seconds_count"), Is.True, "ASP.NET Core hosting");
            Assert.That(scrape.Has("kestrel_active_connections"), Is.True, "Kestrel");
            Assert.That(scrape.Text, Does.Contain("dotnet_gc_"), "runtime");
        });
    }

    [Test]
    public async Task WithoutTheSettingThereIsNoEndpoint(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        using var response = await server.Http.GetAsync("/metrics", ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
