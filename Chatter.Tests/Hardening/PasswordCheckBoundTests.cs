using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Chatter.Protocol;
using Chatter.Server.Limits;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Password checks run with bounded concurrency (<c>Chatter:Limits:MaxConcurrentPasswordChecks</c>): past the bound a
/// login is refused at once, <c>{"error": "server busy"}</c> and close 1013 raw, 503 with Retry-After on the token
/// endpoint, and it does not count as a failed attempt.
/// </summary>
[CancelAfter(60_000)]
public class PasswordCheckBoundTests
{
    [Test]
    public async Task PastTheBoundALoginIsRefusedAtOnceAsServerBusyAndNotCounted(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:MaxConcurrentPasswordChecks"] = "1",
            ["Chatter:Limits:FailedLoginsPerMinute"] = "1",
        });
        var checks = server.App.Services.GetRequiredService<PasswordChecks>();

        // The test holds the only slot, as a long PBKDF2 check would.
        using var holding = new ManualResetEventSlim();
        using var held = new ManualResetEventSlim();
        var holder = Task.Run(() => checks.TryRun(() => { held.Set(); holding.Wait(ct); return false; }), ct);
        held.Wait(ct);

        for (var i = 0; i < 3; i++)
        {
            // Three times past a limit of one failure: a busy refusal is not a failure.
            await using var raw = await server.ConnectRawFromAsync(3, ct);
            await raw.LoginAsync("test1", "pass1", cancellationToken: ct);
            var (status, before) = await raw.ReceiveCloseAsync(ct);
            Assert.That((before.Single(), status), Is.EqualTo(("{\"error\": \"server busy\"}", (WebSocketCloseStatus?)(WebSocketCloseStatus)1013)));
        }

        using var http = server.HttpFrom(3);
        using (var busy = await http.PostAsJsonAsync("/api/token", new TokenRequest("test1", "pass1"), ct))
        {
            Assert.That(busy.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(busy.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(await busy.Content.ReadAsStringAsync(ct), Is.EqualTo("{\"error\":\"server busy\"}"));
        }

        holding.Set();
        Assert.That(await holder, Is.False);
        using var ok = await http.PostAsJsonAsync("/api/token", new TokenRequest("test1", "pass1"), ct);
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), "once a slot is free; the busy refusals did not count");
    }
}
