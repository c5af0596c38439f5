using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// The attacks of issue 14 on the login throttle: nobody can lock a user out of an address the user has logged in from,
/// one user's typos do not stop another behind the same address, and parallel guesses check at most the limit.
/// </summary>
[CancelAfter(90_000)]
public class LoginLockoutTests
{
    private const string AuthOk = "{\"auth\": \"ok\"}";
    private const string TooManyAttempts = "{\"error\": \"too many attempts\"}";
    private const string InvalidCredentials = "{\"error\": \"invalid credentials\"}";

    /// <summary>LimitsLog.PasswordChecked: one event per password actually checked.</summary>
    private const int PasswordCheckedEventId = 604;

    [Test]
    public async Task GuessesFromOtherAddressesDoNotLockAUserOutOfAnAddressItLoggedInFrom(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        Assert.That(await RawLoginAsync(server, 1, "carol", "carol-pw", ct), Is.EqualTo((AuthOk, (WebSocketCloseStatus?)null)), "carol's usual address");

        // The attack of issue 14: five wrong passwords for carol from one address, then five more from five others
        // (ten in all from addresses carol never used: the per-name limit).
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await RawLoginAsync(server, 9, "carol", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials));
        }

        Assert.That((await RawLoginAsync(server, 9, "carol", "carol-pw", ct)).Reply, Is.EqualTo(TooManyAttempts), "the guessing address, even with the right password");
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await RawLoginAsync(server, 30 + i, "carol", "wrong", ct)).Reply, Is.EqualTo(InvalidCredentials), $"guess from 127.0.0.{30 + i}");
        }

        Assert.That((await RawLoginAsync(server, 50, "carol", "carol-pw", ct)).Reply, Is.EqualTo(TooManyAttempts), "carol from an address she never used: the per-name limit");
        Assert.That(await RawLoginAsync(server, 1, "carol", "carol-pw", ct), Is.EqualTo((AuthOk, (WebSocketCloseStatus?)null)), "carol from her usual address");
        using var http = server.HttpFrom(1);
        using var token = await http.PostAsJsonAsync("/api/token", new TokenRequest("carol", "carol-pw"), ct);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), "carol's token from her usual address");
    }

    [Test]
    public async Task OneUsersTyposDoNotStopAnotherUserBehindTheSameAddress(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await RawLoginAsync(server, 9, "carol", "wrong", ct);
        }

        Assert.That(await RawLoginAsync(server, 9, "test2", "pass2", ct), Is.EqualTo((AuthOk, (WebSocketCloseStatus?)null)), "test2, right password, same address");
        Assert.That(await server.HttpFrom(9).PostAsJsonAsync("/api/token", new TokenRequest("test2", "pass2"), ct) is { StatusCode: HttpStatusCode.OK }, Is.True, "test2's token");
    }

    [Test]
    public async Task SprayingManyNamesFromOneAddressIsStoppedAtTheAddressLimit(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "8" });
        for (var i = 0; i < 8; i++)
        {
            Assert.That((await RawLoginAsync(server, 11, $"name{i}", "Winter2026!", ct)).Reply, Is.EqualTo(InvalidCredentials));
        }

        Assert.That((await RawLoginAsync(server, 11, "name8", "Winter2026!", ct)).Reply, Is.EqualTo(TooManyAttempts), "the ninth name from the spraying address");
        Assert.That((await RawLoginAsync(server, 12, "name8", "Winter2026!", ct)).Reply, Is.EqualTo(InvalidCredentials), "another address");
    }

    [Test]
    public async Task FortyParallelWrongLoginsCheckAtMostTheLimitOfPasswords(CancellationToken ct)
    {
        // Enough iterations that the checks overlap; a bound on concurrent checks high enough not to refuse any.
        var hash = PasswordHash.Create("alice-secret", iterations: 100_000);
        await using var server = await ChatterServer.StartAsync(
            new Dictionary<string, string?> { ["Chatter:Limits:MaxConcurrentPasswordChecks"] = "100" },
            users: new Dictionary<string, string> { ["alice"] = hash });
        using var http = server.HttpFrom(7);

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await http.PostAsJsonAsync("/api/token", new TokenRequest("alice", "wrong"), ct);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(server.Logs.WithEventId(PasswordCheckedEventId).Count(), Is.EqualTo(5), "passwords checked");
            Assert.That(responses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(5), "401s");
            Assert.That(responses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(35), "429s");
        });
    }

    [Test]
    public async Task ZeroTurnsEachLimitOff(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:FailedLoginsPerMinute"] = "0",
            ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "0",
            ["Chatter:Limits:FailedLoginsPerNamePerMinute"] = "0",
        });
        for (var i = 0; i < 25; i++)
        {
            await RawLoginAsync(server, 2, "test1", "wrong", ct);
        }

        Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo((AuthOk, (WebSocketCloseStatus?)null)));
    }

    /// <summary>A raw login from 127.0.0.<paramref name="address"/>: the first reply, and the close status when the server closed.</summary>
    internal static async Task<(string Reply, WebSocketCloseStatus? Close)> RawLoginAsync(ChatterServer server, int address, string user, string password, CancellationToken ct)
    {
        await using var client = await server.ConnectRawFromAsync(address, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var reply = await client.ReceiveTextAsync(ct);
        if (reply == AuthOk)
        {
            return (reply, null);
        }

        var (status, _) = await client.ReceiveCloseAsync(ct);
        return (reply, status);
    }
}
