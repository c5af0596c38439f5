using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Authentication;

/// <summary><c>POST /api/token</c>: users.json credentials in, a bearer token or an <c>{"error"}</c> out.</summary>
[CancelAfter(60_000)]
public class TokenEndpointTests
{
    private const string IsoUtcMilliseconds = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    [Test]
    public async Task ValidCredentialsGetATokenThatExpiresInTheFuture(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var before = DateTimeOffset.UtcNow;

        var (status, body) = await PostAsync(server, """{"username":"test1","password":"pass1"}""", ct);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.GetRawText());
        var expiresAt = body.GetProperty("expiresAt").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("token").GetString(), Is.Not.Empty);
            Assert.That(expiresAt, Does.Match(IsoUtcMilliseconds));
            Assert.That(DateTimeOffset.Parse(expiresAt!, CultureInfo.InvariantCulture), Is.GreaterThan(before));
        });
    }

    [Test]
    public async Task IssuedTokenOpensTheHubAsItsUser(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var (_, body) = await PostAsync(server, """{"username":"test2","password":"pass2"}""", ct);

        await using var client = await HubChatClient.ConnectAsync(server.HubUri, body.GetProperty("token").GetString()!, cancellationToken: ct);
        var stored = await client.SendAsync("t", "hi", ct);

        Assert.That(stored.From, Is.EqualTo("test2"));
    }

    [TestCase("test1", "wrong")]
    [TestCase("test1", "pass2")]
    [TestCase("test1", "")]
    [TestCase("nobody", "pass1")]
    [TestCase("TEST1", "pass1")]
    public async Task BadCredentialsAreRefusedWith401InvalidCredentials(string user, string password, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        var (status, body) = await PostAsync(server, JsonSerializer.Serialize(new { username = user, password }), ct);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid credentials"));
            Assert.That(body.TryGetProperty("token", out _), Is.False);
        });
    }

    [TestCase("not json at all", "application/json")]
    [TestCase("{\"username\":\"test1\",", "application/json")]
    [TestCase("", "application/json")]
    [TestCase("username=test1&password=pass1", "application/x-www-form-urlencoded")]
    [TestCase("{\"username\":\"test1\",\"password\":\"pass1\"}", "text/plain")]
    public async Task BodyThatIsNotJsonIsRefusedWith400AndAReason(string content, string mediaType, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        var (status, body) = await PostAsync(server, content, ct, mediaType);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Is.Not.Empty);
        });
    }

    [TestCase("{}")]
    [TestCase("{\"username\":\"test1\"}")]
    [TestCase("{\"password\":\"pass1\"}")]
    [TestCase("{\"username\":\"test1\",\"password\":null}")]
    [TestCase("null")]
    public async Task BodyMissingAFieldIsRefusedWith400AndAReason(string content, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        var (status, body) = await PostAsync(server, content, ct);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Is.Not.Empty);
        });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(
        ChatterServer server, string content, CancellationToken ct, string mediaType = "application/json")
    {
        using var request = new StringContent(content, Encoding.UTF8, mediaType);
        using var response = await server.Http.PostAsync(new Uri("/api/token", UriKind.Relative), request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), $"{(int)response.StatusCode}: {text}");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
