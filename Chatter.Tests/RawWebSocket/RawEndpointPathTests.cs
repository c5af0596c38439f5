using System.Net;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// <c>/ws/chat</c> is matched as a route would match it (any case, a trailing slash allowed) and nothing below it is:
/// the raw endpoint is a branch of the pipeline ahead of authentication, not an endpoint.
/// </summary>
[CancelAfter(60_000)]
public class RawEndpointPathTests
{
    [TestCase("/ws/chat")]
    [TestCase("/ws/chat/")]
    [TestCase("/WS/Chat")]
    public async Task RawPathWithoutUpgradeIsAskedForOne(string path, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(ct), Does.Contain("WebSocket upgrade"));
    }

    [TestCase("/ws/chat/more")]
    [TestCase("/ws/chatter")]
    public async Task PathsBelowOrBesideTheRawPathAreNotFound(string path, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
