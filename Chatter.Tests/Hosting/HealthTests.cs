using System.Net;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hosting;

/// <summary><c>GET /healthz</c> (liveness): 200 while the process answers; <c>GET /readyz</c> (readiness): 200 while it can serve.</summary>
[CancelAfter(60_000)]
public class HealthTests
{
    [TestCase(null)]
    [TestCase("memory")]
    public async Task HealthzAndReadyzAnswer200WhenTheHistoryStoreIsReachable(string? store, CancellationToken ct)
    {
        var settings = store is null ? null : new Dictionary<string, string?> { ["Chatter:History:Store"] = store };
        await using var server = await ChatterServer.StartAsync(settings);

        foreach (var path in new[] { "/healthz", "/readyz" })
        {
            using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), ct);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    [Test]
    public async Task HealthzNeedsNoToken(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.HttpUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "garbage");

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), ct);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
