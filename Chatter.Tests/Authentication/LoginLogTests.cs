using System.Net;
using Chatter.Tests.Infrastructure;
using Serilog.Events;

namespace Chatter.Tests.Authentication;

/// <summary>Logins are logged with the user and the remote address, never with a password or a token.</summary>
[CancelAfter(60_000)]
public class LoginLogTests
{
    private static readonly Dictionary<string, string> Users = new()
    {
        ["alice"] = "Alice-Secret-7f3a",
        ["bob"] = "Bob-Secret-91c2",
    };

    private const string WrongPassword = "Wrong-Secret-5d0e";

    [Test]
    public async Task RefusedRawLoginIsLoggedWithTheUserAndRemoteAddress(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: Users);

        await server.AssertRawLoginRefusedAsync("alice", WrongPassword, ct);

        var refused = await server.Logs.WaitForEventAsync(111, e => LogCapture.Property(e, "User") == "alice", cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(refused.Level, Is.EqualTo(LogEventLevel.Warning));
            Assert.That(LogCapture.Property(refused, "RemoteAddress"), Is.EqualTo("127.0.0.1"));
            Assert.That(LogCapture.Property(refused, "Transport"), Is.EqualTo("raw"));
        });
    }

    [Test]
    public async Task RefusedTokenRequestIsLoggedWithTheUserAndRemoteAddress(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: Users);

        Assert.That(await server.PostTokenStatusAsync("bob", WrongPassword, ct), Is.EqualTo(HttpStatusCode.Unauthorized));

        var refused = await server.Logs.WaitForEventAsync(111, e => LogCapture.Property(e, "User") == "bob", cancellationToken: ct);
        Assert.That(LogCapture.Property(refused, "RemoteAddress"), Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task AcceptedLoginsAreLoggedWithTheUserAndTransport(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: Users);

        await using var raw = await server.LoginRawAsync("alice", Users["alice"], cancellationToken: ct);
        await server.GetTokenAsync("bob", Users["bob"], ct);

        var rawLogin = await server.Logs.WaitForEventAsync(110, e => LogCapture.Property(e, "User") == "alice", cancellationToken: ct);
        var tokenLogin = await server.Logs.WaitForEventAsync(110, e => LogCapture.Property(e, "User") == "bob", cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(rawLogin, "Transport"), Is.EqualTo("raw"));
            Assert.That(LogCapture.Property(rawLogin, "RemoteAddress"), Is.EqualTo("127.0.0.1"));
            Assert.That(LogCapture.Property(tokenLogin, "Transport"), Is.EqualTo("token"));
        });
    }

    [Test]
    public async Task NoLogEventContainsAPasswordOrAToken(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: Users);

        // Every kind of login, good and bad, over both transports, then a message each way and the disconnects.
        var token = await server.GetTokenAsync("bob", Users["bob"], ct);
        Assert.That(await server.PostTokenStatusAsync("alice", WrongPassword, ct), Is.EqualTo(HttpStatusCode.Unauthorized));
        await server.AssertRawLoginRefusedAsync("bob", WrongPassword, ct);
        await server.AssertRawLoginRefusedAsync("mallory", Users["alice"], ct);
        await using (var raw = await server.LoginRawAsync("alice", Users["alice"], cancellationToken: ct))
        await using (var hub = await HubChatClient.ConnectAsync(server.HubUri, token, cancellationToken: ct))
        {
            await hub.SendAsync("t", "hello alice", ct);
            await raw.ReceiveJsonAsync(ct);
            await raw.SendChatAsync("t", "hello bob", cancellationToken: ct);
            await hub.ReceiveAsync(cancellationToken: ct);
        }

        await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == "alice", cancellationToken: ct);
        await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == "bob", cancellationToken: ct);

        string[] secrets = [.. Users.Values, WrongPassword, token, token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..]];
        var events = server.Logs.Events.ToList();
        Assert.That(events, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var e in events)
            {
                var text = Render(e);
                foreach (var secret in secrets)
                {
                    Assert.That(text, Does.Not.Contain(secret), $"event {e.MessageTemplate.Text}");
                }
            }
        });
    }

    /// <summary>Everything an event carries: its rendered message, every property and its exception.</summary>
    private static string Render(LogEvent e)
        => string.Join(
            "\n",
            [
                e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture),
                .. e.Properties.Select(p => $"{p.Key}={p.Value}"),
                e.Exception?.ToString() ?? "",
            ]);
}
