using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Chatter.Protocol;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;
using Serilog.Events;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Passwords and tokens never reach a log: not in a rendered message, a property or an exception, not as a whole
/// and not as a substantial piece (<see cref="PasswordFragment"/> or <see cref="TokenFragment"/> characters). A run
/// covers good and refused logins over both transports (wrong password, unknown user, a password typed as the user
/// name), the token endpoint, hub connections with the token in the header and in the <c>access_token</c> query
/// (which request logging must not write), and a tampered token. Checked twice: every Serilog event of an
/// in-process server, and the raw console output of a real server process with the shipped <c>appsettings.json</c>.
/// </summary>
[CancelAfter(120_000)]
public class SecretsInLogsTests
{
    /// <summary>Pieces of a password this long or longer must not appear.</summary>
    private const int PasswordFragment = 10;

    /// <summary>Pieces of a token this long or longer must not appear.</summary>
    private const int TokenFragment = 16;

    private const string WrongPassword = "Wrong-Secret-5d0e81";

    /// <summary>
    /// The users of these tests. <see cref="UserSecret.StoredAs"/> is what users.json holds for the user when it is not
    /// the password itself; a user with a hashed password is one more line here, e.g.
    /// <c>new("dave", "Dave-Secret-0b4d2e", StoredAs: "&lt;the hash string of Dave-Secret-0b4d2e&gt;")</c>,
    /// and then neither its password nor its hash may appear in a log.
    /// </summary>
    private static readonly UserSecret[] Users =
    [
        new("alice", "Alice-Secret-7f3a9c"),
        new("bob", "Bob-Secret-91c2e4"),
        new("dave", "Dave-Secret-0b4d2e", StoredAs: PasswordHash.Create("Dave-Secret-0b4d2e", PasswordHash.MinIterations)),
    ];

    [Test]
    public async Task NoServerLogEventCarriesAPasswordOrAToken(CancellationToken ct)
    {
        // The login limit off: this run fails logins on purpose, more than five a minute.
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:FailedLoginsPerMinute"] = "0", ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "0", ["Chatter:Limits:FailedLoginsPerNamePerMinute"] = "0" }, UsersFile());

        var tokens = await ExerciseAsync(server.HttpUri, server.WsUri, server.HubUri, ct);

        // The hub sockets (the token in the header, then in the access_token query) have ended. Serilog's request log
        // events do not reach this capture (see the console test, which checks them), the hub's own events do.
        await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "User") == Users[1].Name && LogCapture.Property(e, "Transport") == "signalr", cancellationToken: ct);

        var events = server.Logs.Events.ToList();
        TestContext.Out.WriteLine($"{events.Count} log events checked against {Secrets(tokens).Count()} secrets");
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(LogCapture.EventIdOf), Does.Contain(110).And.Contain(111), "logins, good and refused, were logged");
            foreach (var e in events)
            {
                AssertNoSecret(Render(e), tokens, $"event \"{e.MessageTemplate.Text}\"");
            }
        });
    }

    [Test]
    public async Task NoSecretReachesTheConsoleOfARealServerProcess(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), JsonSerializer.Serialize(UsersFile()), ct);
            IReadOnlyList<string> tokens;
            string output;
            await using (var server = await ChatterProcess.StartAsync(directory, ct, "--Chatter:Limits:FailedLoginsPerMinute=0", "--Chatter:Limits:FailedLoginsPerAddressPerMinute=0", "--Chatter:Limits:FailedLoginsPerNamePerMinute=0"))
            {
                var hubUri = new Uri(server.HttpUri, "/hubs/chat");
                tokens = await ExerciseAsync(server.HttpUri, server.WsUri, hubUri, ct);

                // Request logging has written both hub sockets (the token in the header, then in the access_token
                // query) once they closed, and the last refused login is there.
                await server.WaitForOutputAsync("/hubs/chat responded", RawChatClient.DefaultTimeout, ct, occurrences: 2);
                await server.WaitForOutputAsync(FenceUser, RawChatClient.DefaultTimeout, ct);
                output = server.Output;
            }

            TestContext.Out.WriteLine($"{output.Split('\n').Length} console lines checked against {Secrets(tokens).Count()} secrets");
            Assert.Multiple(() =>
            {
                Assert.That(output, Does.Contain("Login ok for"), "the console shows the logins");
                Assert.That(output, Does.Not.Contain("access_token"), "request logging writes no query string");
                AssertNoSecret(output, tokens, "the console output");
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// User names a careless user types: the password in the user name field, alone or after the name. A refused
    /// login must not log them as typed.
    /// </summary>
    private static readonly string[] PasswordsTypedAsUserNames =
    [
        Users[0].Password,
        Users[0].Name + " " + Users[0].Password,
        Users[0].Name + ":" + Users[0].Password,
    ];

    /// <summary>The last login of a run: once its refusal is in a log, everything before it is too.</summary>
    private const string FenceUser = "fence-user";

    /// <summary>
    /// Every way a secret could travel towards a log, good and bad, over both transports. Returns every token issued or
    /// tried; the passwords are in <see cref="Users"/> and <see cref="WrongPassword"/>.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ExerciseAsync(Uri httpUri, Uri wsUri, Uri hubUri, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = httpUri };
        var alice = Users[0];
        var tokens = new List<string>();

        foreach (var user in Users)
        {
            tokens.Add(await PostTokenAsync(http, user.Name, user.Password, HttpStatusCode.OK, ct) ?? throw new InvalidOperationException("no token"));
            await using var raw = await RawChatClient.ConnectAsync(wsUri, ct);
            await raw.LoginAsync(user.Name, user.Password, cancellationToken: ct);
            Assert.That(await raw.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"), $"raw login of {user.Name}");
        }

        // Refused logins: a wrong password, an unknown user with a real password, and passwords typed into the user name.
        (string User, string Password)[] refused =
        [
            (alice.Name, WrongPassword),
            ("mallory", alice.Password),
            .. PasswordsTypedAsUserNames.Select(name => (name, alice.Password + "x")),
        ];
        foreach (var (user, password) in refused)
        {
            await PostTokenAsync(http, user, password, HttpStatusCode.Unauthorized, ct);
            await RawLoginRefusedAsync(wsUri, user, password, ct);
        }

        // The hub: the token in the Authorization header (the .NET client), then in the access_token query (browsers).
        await using (var hub = await HubChatClient.ConnectAsync(hubUri, tokens[0], cancellationToken: ct))
        {
            await hub.SendAsync("secrets", "hello over the header", ct);
        }

        await using (var query = await HubJsonSocket.ConnectAsync(hubUri, tokens[1], ct))
        {
            await query.InvokeAsync("1", "SendMessage", "[\"secrets\",\"hello over the query\"]", ct);
            var completion = await query.ReceiveCompletionAsync("1", ct);
            Assert.That(completion?.TryGetProperty("result", out _), Is.True, $"SendMessage over the query-string socket: {completion}");
        }

        // A tampered token in the query and in the header: refused, and no more logged than a good one.
        var tampered = tokens[0][..^4] + (tokens[0].EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        tokens.Add(tampered);
        using (var refusedSocket = new ClientWebSocket())
        {
            Assert.That(
                async () => await refusedSocket.ConnectAsync(HubJsonSocket.AddressOf(hubUri, tampered), ct),
                Throws.InstanceOf<WebSocketException>(),
                "a tampered token in the query is refused");
        }

        using (var negotiate = new HttpRequestMessage(HttpMethod.Post, new Uri(hubUri, "/hubs/chat/negotiate?negotiateVersion=1")))
        {
            negotiate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tampered);
            using var response = await http.SendAsync(negotiate, ct);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a tampered token in the header is refused");
        }

        await RawLoginRefusedAsync(wsUri, FenceUser, WrongPassword, ct);
        return tokens;
    }

    private static async Task<string?> PostTokenAsync(HttpClient http, string user, string password, HttpStatusCode expected, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/token", new TokenRequest(user, password), ct);
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"POST /api/token for \"{user}\"");
        return expected == HttpStatusCode.OK
            ? (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, ct))!.Token
            : null;
    }

    private static async Task RawLoginRefusedAsync(Uri wsUri, string user, string password, CancellationToken ct)
    {
        await using var client = await RawChatClient.ConnectAsync(wsUri, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var (status, before) = await client.ReceiveCloseAsync(ct);
        Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation), $"raw login of \"{user}\" refused; got {string.Join(", ", before)}");
    }

    /// <summary>users.json: the users, and the fence user (a real user, so that its refused login names it in the log).</summary>
    private static Dictionary<string, string> UsersFile()
        => Users.Select(u => KeyValuePair.Create(u.Name, u.StoredAs ?? u.Password)).Append(KeyValuePair.Create(FenceUser, "Fence-Secret-3c81aa")).ToDictionary();

    /// <summary>Every secret of a run: passwords (and what users.json stores for them), the wrong password, the tokens.</summary>
    private static IEnumerable<(string Secret, int Fragment)> Secrets(IEnumerable<string> tokens)
        => Users.SelectMany(u => u.Secrets).Append(WrongPassword).Select(s => (s, PasswordFragment))
            .Concat(tokens.Select(t => (t, TokenFragment)));

    private static void AssertNoSecret(string text, IEnumerable<string> tokens, string where)
    {
        foreach (var (secret, fragment) in Secrets(tokens))
        {
            if (Leaked(text, secret, fragment) is { } piece)
            {
                Assert.Fail($"{where} holds \"{piece}\", a piece of a secret:\n{text}");
            }
        }
    }

    /// <summary>The first piece of <paramref name="secret"/>, <paramref name="length"/> characters long (or the whole of a shorter one), found in <paramref name="text"/>.</summary>
    private static string? Leaked(string text, string secret, int length)
    {
        if (secret.Length <= length)
        {
            return text.Contains(secret, StringComparison.Ordinal) ? secret : null;
        }

        for (var start = 0; start + length <= secret.Length; start++)
        {
            var piece = secret.Substring(start, length);
            if (text.Contains(piece, StringComparison.Ordinal))
            {
                return piece;
            }
        }

        return null;
    }

    /// <summary>Everything an event carries: its template, its rendered message, every property and its exception.</summary>
    private static string Render(LogEvent e)
        => string.Join(
            "\n",
            [
                e.MessageTemplate.Text,
                e.RenderMessage(CultureInfo.InvariantCulture),
                .. e.Properties.Select(p => $"{p.Key}={p.Value}"),
                e.Exception?.ToString() ?? "",
            ]);

    /// <summary>A user of the test: its name, its password, and what users.json stores when that is not the password itself (a hash).</summary>
    private sealed record UserSecret(string Name, string Password, string? StoredAs = null)
    {
        public IEnumerable<string> Secrets => StoredAs is null ? [Password] : [Password, StoredAs];
    }
}
