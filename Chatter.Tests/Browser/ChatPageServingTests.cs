using System.Net;
using Chatter.Server.Hosting;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Browser;

/// <summary><c>GET /</c> serves the chat page and its files, with the page's security headers (plain HTTP, no browser).</summary>
[CancelAfter(60_000)]
public class ChatPageServingTests
{
    [TestCase("/", "text/html")]
    [TestCase("/index.html", "text/html")]
    [TestCase("/chat-page.js", "text/javascript")]
    [TestCase("/chat-connection.js", "text/javascript")]
    [TestCase("/chat-resume.js", "text/javascript")]
    [TestCase("/chat-outbox.js", "text/javascript")]
    [TestCase("/chat-dom.js", "text/javascript")]
    [TestCase("/chat-threads.js", "text/javascript")]
    [TestCase("/chat-messages.js", "text/javascript")]
    [TestCase("/chat-earlier.js", "text/javascript")]
    [TestCase("/chat-frames.js", "text/javascript")]
    [TestCase("/chat-requests.js", "text/javascript")]
    [TestCase("/chat-reads.js", "text/javascript")]
    [TestCase("/chat-typing.js", "text/javascript")]
    [TestCase("/chat-edits.js", "text/javascript")]
    [TestCase("/chat.css", "text/css")]
    public async Task ThePageAndItsFilesAreServedWithSecurityHeaders(string path, string contentType, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        using var response = await server.Http.GetAsync(new Uri(path, UriKind.Relative), ct);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(contentType));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(ChatPageApplicationBuilderExtensions.ContentSecurityPolicy));
        Assert.That(ChatPageApplicationBuilderExtensions.ContentSecurityPolicy, Does.Contain("script-src 'self';").And.Not.Contain("unsafe"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
    }

    [Test]
    public async Task TheRootIsTheChatPage(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        var html = await server.Http.GetStringAsync(new Uri("/", UriKind.Relative), ct);

        Assert.That(html, Does.Contain("<script type=\"module\" src=\"chat-page.js\"></script>"));
        Assert.That(html, Does.Contain("<form id=\"login-form\" method=\"post\""), "a form that never puts the password in the URL");
    }

    [Test]
    public async Task TheOtherEndpointsAreUnchanged(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        using var health = await server.Http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
        using var ws = await server.Http.GetAsync(new Uri("/ws/chat", UriKind.Relative), ct);
        using var missing = await server.Http.GetAsync(new Uri("/no-such-file.js", UriKind.Relative), ct);

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ws.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "/ws/chat still expects an upgrade");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
