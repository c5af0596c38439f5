using System.Text.Json;
using Chatter.Server.Authentication;
using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Chatter.Server.Delivery;
using Chatter.Server.Diagnostics;
using Chatter.Server.History;
using Chatter.Server.Hosting;
using Chatter.Server.Limits;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Chatter.Tests.Hosting;

/// <summary>What a new user meets with the repository as it is: the shipped appsettings.json and users.json.</summary>
[CancelAfter(60_000)]
public class DefaultsTests
{
    private static readonly string AppSettings = RepositoryFiles.PathOf("Chatter.Server/appsettings.json");
    private static readonly string BundledUsers = RepositoryFiles.PathOf("users.json");

    [Test]
    public void ServerListensOnAllInterfacesOnPort8000()
    {
        // Applied only when no address is configured in any way (ListenAddressTests): appsettings.json names none.
        Assert.That(ChatterListenAddress.Default, Is.EqualTo("http://0.0.0.0:8000"));
        Assert.That(ReadJson(AppSettings).TryGetProperty("Urls", out _), Is.False);
    }

    [Test]
    public void AppSettingsHoldTheDocumentedDefaults()
    {
        var options = Bind<ChatterOptions>(AppSettings, ChatterOptions.Section);
        var history = Bind<HistoryOptions>(AppSettings, HistoryOptions.Section);

        Assert.Multiple(() =>
        {
            Assert.That(options.UsersFile, Is.EqualTo("users.json"));
            Assert.That(options.AuthTimeoutSeconds, Is.EqualTo(10));
            Assert.That(options.MaxMessageChars, Is.EqualTo(4000));
            Assert.That(options.MaxFrameBytes, Is.EqualTo(64 * 1024));
            Assert.That(history.ReplayLimit, Is.EqualTo(100));
            Assert.That(history.ReplayMaxTotal, Is.EqualTo(1000));
        });
    }

    [Test]
    public void OptionsWithoutConfigurationHoldTheDocumentedDefaults()
    {
        var options = new ChatterOptions();
        var history = new HistoryOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.UsersFile, Is.EqualTo("users.json"));
            Assert.That(options.AuthTimeoutSeconds, Is.EqualTo(10));
            Assert.That(options.MaxMessageChars, Is.EqualTo(4000));
            Assert.That(options.MaxFrameBytes, Is.EqualTo(64 * 1024));
            Assert.That(history.ReplayLimit, Is.EqualTo(100));
            Assert.That(history.ReplayMaxTotal, Is.EqualTo(1000));
        });
    }

    [Test]
    public void HistoryDefaultsToAnSqliteFileThatSurvivesARestart()
    {
        var history = ReadJson(AppSettings).GetProperty("Chatter").GetProperty("History");

        // No store named: SQLite, or Redis once Chatter:Redis:Configuration is set.
        Assert.That(Bind<HistoryOptions>(AppSettings, HistoryOptions.Section).StoreWith(Bind<RedisOptions>(AppSettings, RedisOptions.Section)), Is.EqualTo("sqlite"));
        Assert.That(history.GetProperty("Path").GetString(), Is.EqualTo("chatter.db"));
    }

    [Test]
    public void AppSettingsPassTheServersValidation()
    {
        var redis = Bind<RedisOptions>(AppSettings, RedisOptions.Section);
        var history = Bind<HistoryOptions>(AppSettings, HistoryOptions.Section);
        var results = new[]
        {
            new ChatterOptionsValidator().Validate(ChatterOptions.Section, Bind<ChatterOptions>(AppSettings, ChatterOptions.Section)),
            new HistoryOptionsValidator(redis).Validate(HistoryOptions.Section, history),
            new TokenOptionsValidator().Validate(TokenOptions.Section, Bind<TokenOptions>(AppSettings, TokenOptions.Section)),
            new SigningKeyValidator(redis, history).Validate(TokenOptions.Section, Bind<TokenOptions>(AppSettings, TokenOptions.Section)),
            new LimitsOptionsValidator().Validate(LimitsOptions.Section, Bind<LimitsOptions>(AppSettings, LimitsOptions.Section)),
            new DeliveryOptionsValidator().Validate(DeliveryOptions.Section, Bind<DeliveryOptions>(AppSettings, DeliveryOptions.Section)),
            new RedisOptionsValidator().Validate(RedisOptions.Section, redis),
            new LoggingOptionsValidator().Validate(LoggingOptions.Section, Bind<LoggingOptions>(AppSettings, LoggingOptions.Section)),
        };

        Assert.That(results.Where(result => !result.Succeeded).Select(result => result.FailureMessage), Is.Empty);
    }

    [Test]
    public void BundledUsersFileHoldsTest1AndTest2()
    {
        var users = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(BundledUsers));

        Assert.That(users, Does.ContainKey("test1").WithValue("pass1"));
        Assert.That(users, Does.ContainKey("test2").WithValue("pass2"));
    }

    [Test]
    public async Task BundledUsersCanLogIn(CancellationToken ct)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            File.Copy(BundledUsers, Path.Combine(directory, "users.json"));
            await using var server = await ChatterServer.StartAsync(directory: directory, writeUsersFile: false);

            await using var test1 = await server.LoginRawAsync("test1", "pass1", cancellationToken: ct);
            var token = await server.GetTokenAsync("test2", "pass2", ct);

            Assert.That(token, Is.Not.Empty);
        }
        finally
        {
            // A directory passed in is the test's to remove.
            Directory.Delete(directory, recursive: true);
        }
    }

    private static JsonElement ReadJson(string path)
        => JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement;

    private static T Bind<T>(string path, string section)
        => new ConfigurationBuilder().AddJsonFile(path).Build().GetSection(section).Get<T>()
            ?? throw new InvalidOperationException($"no {section} section in {path}");
}
