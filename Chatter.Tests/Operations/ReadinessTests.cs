using System.Net;
using System.Text.Json;
using Chatter.Server.Health;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Chatter.Tests.Operations;

/// <summary><c>/readyz</c>: ready while the store (and the backplane, when there is one) answers and the node is not shutting down.</summary>
[CancelAfter(60_000)]
public class ReadinessTests
{
    [Test]
    public async Task ReadinessFlipsWithTheStoreAndSaysWhichCheckFailed(CancellationToken ct)
    {
        var (server, history) = await ChatterServerHistory.StartWithHistoryAsync(inner => new SwitchableHistory(inner));
        await using var serverLifetime = server;

        var (status, body) = await ReadyAsync(server, ct);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("checks").GetProperty("history").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(body.GetProperty("checks").GetProperty("shutdown").GetProperty("status").GetString(), Is.EqualTo("Healthy"));

        history.Down = true;
        (status, body) = await ReadyAsync(server, ct);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("Unhealthy"));
        Assert.That(body.GetProperty("checks").GetProperty("history").GetProperty("description").GetString(), Is.EqualTo("history store unreachable"));

        history.Down = false;
        (status, _) = await ReadyAsync(server, ct);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AStoppingNodeIsNotReady(CancellationToken ct)
    {
        using var stopping = new CancellationTokenSource();
        var check = new ShutdownHealthCheck(new Lifetime(stopping.Token));
        Assert.That((await check.CheckHealthAsync(new HealthCheckContext(), ct)).Status, Is.EqualTo(HealthStatus.Healthy));
        await stopping.CancelAsync();
        Assert.That((await check.CheckHealthAsync(new HealthCheckContext(), ct)).Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [Test]
    public async Task HealthzAsksNoCheckReadyzAsksThemAll(CancellationToken ct)
    {
        // A check that always fails, as the shutdown check does once the node stops, or the store's while it is down.
        await using var server = await ChatterServer.StartAsync(configureServices: services => services.AddHealthChecks()
            .AddCheck("always-draining", () => HealthCheckResult.Unhealthy("draining")));

        using var health = await server.Http.GetAsync("/healthz", ct);
        Assert.That((health.StatusCode, await health.Content.ReadAsStringAsync(ct)), Is.EqualTo((HttpStatusCode.OK, "Healthy")));
        var (status, body) = await ReadyAsync(server, ct);
        Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(body.GetProperty("checks").GetProperty("always-draining").GetProperty("description").GetString(), Is.EqualTo("draining"));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(ChatterServer server, CancellationToken ct)
    {
        using var response = await server.Http.GetAsync("/readyz", ct);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone());
    }

    private sealed class Lifetime(CancellationToken stopping) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => stopping;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
