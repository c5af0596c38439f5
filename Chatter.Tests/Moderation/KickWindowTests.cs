using System.Net;
using System.Net.Http.Json;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Moderation;

/// <summary>
/// A kicked user stays out for <c>Chatter:KickMinutes</c> on the server's clock (a fake one here): the raw login, the
/// token endpoint and the hub with a token issued before the kick are refused during the window and allowed after it.
/// </summary>
[CancelAfter(60_000)]
public class KickWindowTests
{
    [Test]
    public async Task AKickedUsersLoginsAreRefusedDuringTheWindowAndAllowedAfterIt(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(
            Kicked.AliceIsAdmin(new Dictionary<string, string?> { ["Chatter:KickMinutes"] = "5" }),
            configureServices: services => services.AddSingleton<TimeProvider>(clock));
        var earlierToken = await server.GetTokenAsync("bob", cancellationToken: ct);
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k1\"}", ct);
        Assert.That((await alice.ReceiveJsonAsync(ct)).GetProperty("until").GetString(), Is.EqualTo(clock.GetUtcNow().AddMinutes(5).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)));

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await Kicked.AssertRawLoginKickedAsync(server, "bob", ct);
        using (var token = await server.Http.PostAsJsonAsync("/api/token", new TokenRequest("bob", ChatterServer.DefaultUsers["bob"]), ct))
        {
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await token.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ErrorResponse, ct))!.Error, Is.EqualTo("kicked"));
            Assert.That(token.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        }

        var hub = HubChatClient.Build(server.HubUri, earlierToken);
        await using (hub)
        {
            await Assert.ThatAsync(() => hub.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Forbidden), "a token issued before the kick");
        }

        // A wrong password is still just a wrong password: the kick is told only to who knows the password.
        await server.AssertRawLoginRefusedAsync("bob", "not bob's password", ct);

        clock.Advance(TimeSpan.FromSeconds(1));
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var bobHub = await HubChatClient.ConnectAsync(server.HubUri, earlierToken, cancellationToken: ct);
        Assert.That(await server.PostTokenStatusAsync("bob", ChatterServer.DefaultUsers["bob"], ct), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task KickMinutesOutsideItsRangeRefusesTheStartNamingTheKey()
    {
        var failure = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            async () => await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:KickMinutes"] = "0" }));
        Assert.That(failure!.Message, Does.Contain("Chatter:KickMinutes"));
    }

    [Test]
    public async Task AnAdminNameThatIsNotAUserIsLoggedAsAWarningAndRefusesNothing(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Admins:0"] = "ghost", ["Chatter:Admins:1"] = "alice" });
        var warning = server.Logs.WithEventId(802).Single();
        Assert.That(LogCapture.Property(warning, "Admin"), Is.EqualTo("ghost"));
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        await alice.SendTextAsync("{\"kick\": \"bob\"}", ct);
        Assert.That((await alice.ReceiveJsonAsync(ct)).GetProperty("kicked").GetString(), Is.EqualTo("bob"));
    }
}
