using System.Net;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Authentication;

/// <summary>users.json edited while the server runs: the next login sees the new users, with no restart.</summary>
[CancelAfter(60_000)]
public class UsersFileReloadTests
{
    [Test]
    public async Task UserAddedToTheUsersFileCanLogInAfterTheReload(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await server.AssertRawLoginRefusedAsync("dave", "dave-pw", ct);

        await server.ReplaceUsersFileAsync(new Dictionary<string, string>(ChatterServer.DefaultUsers) { ["dave"] = "dave-pw" }, ct);

        await using var raw = await server.LoginRawAsync("dave", "dave-pw", cancellationToken: ct);
        var token = await server.GetTokenAsync("dave", "dave-pw", ct);
        await using var hub = await HubChatClient.ConnectAsync(server.HubUri, token, cancellationToken: ct);
        var stored = await hub.SendAsync("t", "dave is here", ct);
        Assert.That(stored.From, Is.EqualTo("dave"));
        Assert.That((await raw.ReceiveJsonAsync(ct)).GetProperty("from").GetString(), Is.EqualTo("dave"));
    }

    [Test]
    public async Task UserRemovedFromTheUsersFileCanNoLongerLogIn(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var tokenIssuedBefore = await server.GetTokenAsync("test2", cancellationToken: ct);

        var remaining = ChatterServer.DefaultUsers.Where(u => u.Key != "test2").ToDictionary();
        await server.ReplaceUsersFileAsync(remaining, ct);

        await server.AssertRawLoginRefusedAsync("test2", "pass2", ct);
        Assert.That(await server.PostTokenStatusAsync("test2", "pass2", ct), Is.EqualTo(HttpStatusCode.Unauthorized));
        await using var connection = HubChatClient.Build(server.HubUri, tokenIssuedBefore);
        await Assert.ThatAsync(() => connection.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Unauthorized), "a token issued before the removal");

        await using var stillThere = await server.LoginRawAsync("test1", cancellationToken: ct);
    }

    [Test]
    public async Task ChangedPasswordTakesEffectAfterTheReload(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        await server.ReplaceUsersFileAsync(new Dictionary<string, string>(ChatterServer.DefaultUsers) { ["test1"] = "new-pass1" }, ct);

        await server.AssertRawLoginRefusedAsync("test1", "pass1", ct);
        await using var raw = await server.LoginRawAsync("test1", "new-pass1", cancellationToken: ct);
    }

    [Test]
    public async Task MalformedEditKeepsTheLastGoodUsersAndIsLogged(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();

        await server.ReplaceUsersFileAsync("{ \"test1\": ", ct);

        var rejected = await server.Logs.WaitForEventAsync(102, cancellationToken: ct);
        Assert.That(LogCapture.Property(rejected, "UsersFile"), Is.EqualTo(server.UsersFile));
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
        Assert.That(await server.PostTokenStatusAsync("test2", "pass2", ct), Is.EqualTo(HttpStatusCode.OK));
    }
}
