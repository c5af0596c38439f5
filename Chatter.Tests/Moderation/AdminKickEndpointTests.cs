using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Moderation;

/// <summary><c>POST /api/admin/kick</c>: an admin's bearer token and <c>{"user"}</c>; 401, 403, 400 and 404 otherwise.</summary>
[CancelAfter(60_000)]
public class AdminKickEndpointTests
{
    [Test]
    public async Task TheEndpointKicksForAnAdminAndAnswers401403400And404Otherwise(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        var alice = await server.GetTokenAsync("alice", cancellationToken: ct);
        var carol = await server.GetTokenAsync("carol", cancellationToken: ct);

        Assert.Multiple(async () =>
        {
            Assert.That(await StatusAsync(server, null, "{\"user\":\"bob\"}", ct), Is.EqualTo((HttpStatusCode.Unauthorized, (string?)null)), "no token");
            Assert.That(await StatusAsync(server, "not-a-token", "{\"user\":\"bob\"}", ct), Is.EqualTo((HttpStatusCode.Unauthorized, (string?)null)), "a bad token");
            Assert.That(await StatusAsync(server, carol, "{\"user\":\"bob\"}", ct), Is.EqualTo((HttpStatusCode.Forbidden, (string?)"not allowed")), "not an admin");
            Assert.That(await StatusAsync(server, alice, "{\"user\":\"nobody\"}", ct), Is.EqualTo((HttpStatusCode.NotFound, (string?)"unknown user")), "not a user");
            Assert.That(await StatusAsync(server, alice, "{\"name\":\"bob\"}", ct), Is.EqualTo((HttpStatusCode.BadRequest, (string?)"user is required")), "no user");
            Assert.That(await StatusAsync(server, alice, "{\"user\":", ct), Is.EqualTo((HttpStatusCode.BadRequest, (string?)"invalid JSON")), "not JSON");
        });

        // Nothing above touched bob.
        await using var carolRaw = await server.LoginRawAsync("carol", cancellationToken: ct);
        await carolRaw.SendChatAsync("t-http", "still there?", cancellationToken: ct);
        Assert.That((await bob.ReceiveMessageAsync(ct)).Message, Is.EqualTo("still there?"));

        using var request = Request(alice, "{\"user\":\"bob\"}");
        using var response = await server.Http.SendAsync(request, ct);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var kicked = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.KickResponse, ct);
        Assert.That(kicked!.User, Is.EqualTo("bob"));
        await Kicked.AssertKickedAsync(bob, "bob", ct);
        Assert.That(server.Logs.WithEventId(800).Select(e => LogCapture.Property(e, "Transport")), Is.EqualTo(new[] { "http" }));
    }

    private static async Task<(HttpStatusCode, string?)> StatusAsync(ChatterServer server, string? token, string body, CancellationToken ct)
    {
        using var request = Request(token, body);
        using var response = await server.Http.SendAsync(request, ct);
        var error = response.Content.Headers.ContentType?.MediaType == "application/json"
            ? (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ErrorResponse, ct))?.Error
            : null;
        return (response.StatusCode, error);
    }

    private static HttpRequestMessage Request(string? token, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/kick") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }
}
