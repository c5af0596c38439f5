using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Failed logins are limited per remote address and per user name (see LoginLockoutTests for the rules that keep real
/// users from being locked out); past the limit a raw login
/// gets <c>{"error": "too many attempts"}</c> and close 1008, the token endpoint 429 with Retry-After. Successful
/// logins are never counted. Each test is several remote addresses at once (127.0.0.N).
/// </summary>
[CancelAfter(90_000)]
public class LoginThrottleTests
{
    private const string TooManyAttempts = "{\"error\": \"too many attempts\"}";

    [Test]
    public async Task AnAddressPastFiveFailuresIsRefusedEvenWithTheRightPasswordOthersAreNot(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "5" });
        for (var i = 0; i < 5; i++)
        {
            // Different (unknown) names: only the address limit can be what stops the sixth.
            Assert.That(await RawLoginAsync(server, 2, $"guess{i}", "wrong", ct), Is.EqualTo(("{\"error\": \"invalid credentials\"}", WebSocketCloseStatus.PolicyViolation)));
        }

        Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo((TooManyAttempts, WebSocketCloseStatus.PolicyViolation)), "the right password, from the throttled address");
        Assert.That(await RawLoginAsync(server, 3, "test1", "pass1", ct), Is.EqualTo(("{\"auth\": \"ok\"}", (WebSocketCloseStatus?)null)), "the same user from another address");

        using var http = server.HttpFrom(2);
        using var refused = await http.PostAsJsonAsync("/api/token", new TokenRequest("test1", "pass1"), ct);
        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(await refused.Content.ReadAsStringAsync(ct), Is.EqualTo("{\"error\":\"too many attempts\"}"));
        });
    }

    [Test]
    public async Task AUserNamePastFiveFailuresFromManyAddressesIsRefusedOtherUsersAreNot(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:FailedLoginsPerNamePerMinute"] = "5" });
        for (var i = 0; i < 5; i++)
        {
            // One failure per address: only the per-name limit can be what stops alice.
            using var http = server.HttpFrom(10 + i);
            using var response = await http.PostAsJsonAsync("/api/token", new TokenRequest("alice", "wrong"), ct);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(await RawLoginAsync(server, 20, "alice", "alice-pw", ct), Is.EqualTo((TooManyAttempts, WebSocketCloseStatus.PolicyViolation)), "alice, right password, fresh address");
        using var fresh = server.HttpFrom(21);
        using var token = await fresh.PostAsJsonAsync("/api/token", new TokenRequest("alice", "alice-pw"), ct);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "alice's token, right password, fresh address");
        Assert.That(await RawLoginAsync(server, 20, "bob", "bob-pw", ct), Is.EqualTo(("{\"auth\": \"ok\"}", (WebSocketCloseStatus?)null)), "bob from the same address");
    }

    [Test]
    public async Task SuccessfulLoginsAreNeverCounted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo(("{\"auth\": \"ok\"}", (WebSocketCloseStatus?)null)), $"login {i + 1}");
            Assert.That(await server.PostTokenStatusAsync("test2", "pass2", ct), Is.EqualTo(HttpStatusCode.OK), $"token {i + 1}");
        }

        // Four failures after thirty successes: still under the limit.
        for (var i = 0; i < 4; i++)
        {
            await RawLoginAsync(server, 2, "test1", "wrong", ct);
        }

        Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo(("{\"auth\": \"ok\"}", (WebSocketCloseStatus?)null)));
    }

    [Test]
    public async Task ALimitOfTwoIsHonoured(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:FailedLoginsPerMinute"] = "2" });
        await RawLoginAsync(server, 2, "test1", "wrong", ct);
        Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo(("{\"auth\": \"ok\"}", (WebSocketCloseStatus?)null)), "after one failure");
        await RawLoginAsync(server, 2, "test1", "wrong", ct);
        Assert.That(await RawLoginAsync(server, 2, "test1", "pass1", ct), Is.EqualTo((TooManyAttempts, WebSocketCloseStatus.PolicyViolation)), "after two failures");
    }

    /// <summary>A raw login from 127.0.0.<paramref name="address"/>: the first reply, and the close status when the server closed.</summary>
    private static async Task<(string Reply, WebSocketCloseStatus? Close)> RawLoginAsync(ChatterServer server, int address, string user, string password, CancellationToken ct)
    {
        await using var client = await server.ConnectRawFromAsync(address, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var reply = await client.ReceiveTextAsync(ct);
        if (reply == "{\"auth\": \"ok\"}")
        {
            return (reply, null);
        }

        var (status, _) = await client.ReceiveCloseAsync(ct);
        return (reply, status);
    }
}
