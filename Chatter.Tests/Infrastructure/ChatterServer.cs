using System.Collections.Concurrent;
using System.Net.Http.Json;
using Chatter.Protocol;
using Chatter.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A real Chatter server on Kestrel, 127.0.0.1 with a free port, with its own temporary directory holding
/// its users file. Log events are captured for assertions.
/// </summary>
public sealed class ChatterServer : IAsyncDisposable
{
    private ChatterServer(WebApplication app, string directory, bool ownsDirectory, LogCapture logs)
    {
        App = app;
        Directory = directory;
        this.ownsDirectory = ownsDirectory;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        HttpUri = new Uri(address);
        WsUri = new Uri($"{(HttpUri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws")}://{HttpUri.Authority}/ws/chat");
        HubUri = new Uri(HttpUri, "/hubs/chat");
        Http = new HttpClient { BaseAddress = HttpUri };
    }

    private readonly bool ownsDirectory;

    public WebApplication App { get; }

    public string Directory { get; }

    public string UsersFile => Path.Combine(Directory, "users.json");

    public LogCapture Logs { get; }

    public Uri HttpUri { get; }

    public Uri WsUri { get; }

    public Uri HubUri { get; }

    public HttpClient Http { get; }

    /// <summary>The default users of every test server: test1/pass1, test2/pass2, plus a few more for tests that need them.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultUsers = new Dictionary<string, string>
    {
        ["test1"] = "pass1",
        ["test2"] = "pass2",
        ["test3"] = "pass3",
        ["alice"] = "alice-pw",
        ["bob"] = "bob-pw",
        ["carol"] = "carol-pw",
    };

    /// <summary>
    /// Settings for tests that flood one connection on purpose (ordering, bursts): the per-connection message rate
    /// limit, which they do not test, turned off.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> NoRateLimit { get; } = new Dictionary<string, string?>
    {
        ["Chatter:Limits:MessagesPerSecond"] = "0",
    };

    /// <summary>Starts a server. <paramref name="settings"/> are configuration keys such as <c>Chatter:AuthTimeoutSeconds</c>.</summary>
    public static async Task<ChatterServer> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        IReadOnlyDictionary<string, string>? users = null,
        string? directory = null,
        bool writeUsersFile = true,
        Action<IServiceCollection>? configureServices = null)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        if (writeUsersFile)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(users ?? DefaultUsers);
            await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), json);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = directory,
            EnvironmentName = "Testing",
            // The chat page: Chatter.Server's wwwroot is copied beside the test assembly.
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Chatter:UsersFile"] = Path.Combine(directory, "users.json"),
            // Each server its own history file: the default path is relative to the (shared) working directory.
            ["Chatter:History:Path"] = Path.Combine(directory, "chatter.db"),
            // Events are captured by LogCapture; the console stays quiet.
            ["Chatter:Logging:Format"] = "none",
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        var logs = new LogCapture();
        builder.Services.AddSingleton<ILogEventSink>(logs);
        ChatterApp.Configure(builder);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        ChatterApp.Map(app);
        await app.StartAsync();
        return new ChatterServer(app, directory, ownsDirectory, logs);
    }

    /// <summary>A raw <c>/ws/chat</c> client, connected but not logged in.</summary>
    public Task<RawChatClient> ConnectRawAsync(CancellationToken cancellationToken = default)
        => RawChatClient.ConnectAsync(WsUri, cancellationToken);

    /// <summary>A raw client logged in as <paramref name="user"/>, its <c>{"auth": "ok"}</c> already read.</summary>
    public async Task<RawChatClient> LoginRawAsync(string user, string? password = null, long? since = null, CancellationToken cancellationToken = default)
    {
        var client = await ConnectRawAsync(cancellationToken);
        await client.LoginAsync(user, password ?? DefaultUsers[user], since, cancellationToken);
        var reply = await client.ReceiveTextAsync(cancellationToken);
        Assert.That(reply, Is.EqualTo("{\"auth\": \"ok\"}"), "login reply");
        return client;
    }

    /// <summary>A token from <c>POST /api/token</c>.</summary>
    public async Task<string> GetTokenAsync(string user, string? password = null, CancellationToken cancellationToken = default)
    {
        var response = await Http.PostAsJsonAsync("/api/token", new TokenRequest(user, password ?? DefaultUsers[user]), cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, cancellationToken);
        return token!.Token;
    }

    /// <summary>A started SignalR client logged in as <paramref name="user"/>.</summary>
    public async Task<HubChatClient> ConnectHubAsync(string user, long? since = null, CancellationToken cancellationToken = default)
    {
        var token = await GetTokenAsync(user, cancellationToken: cancellationToken);
        return await HubChatClient.ConnectAsync(HubUri, token, since, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            // A directory the test passed in is the test's: it outlives this server (restart tests).
            if (ownsDirectory)
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open by the stopped server: the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>Every Serilog event of one server.</summary>
public sealed partial class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> events = new();

    public IReadOnlyCollection<LogEvent> Events => events;

    public void Emit(LogEvent logEvent)
    {
        events.Enqueue(logEvent);
        SignalWaiters(logEvent);
    }

    /// <summary>The events whose <c>EventId.Id</c> is <paramref name="eventId"/>.</summary>
    public IEnumerable<LogEvent> WithEventId(int eventId)
        => events.Where(e => e.Properties.TryGetValue("EventId", out var id)
            && id is StructureValue s && s.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: int v } && v == eventId));

    public static string? Property(LogEvent e, string name)
        => e.Properties.TryGetValue(name, out var value) ? (value as ScalarValue)?.Value?.ToString() : null;
}
