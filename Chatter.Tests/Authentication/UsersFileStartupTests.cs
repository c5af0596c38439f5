using System.Net;
using Chatter.Tests.Infrastructure;
using Serilog.Events;

namespace Chatter.Tests.Authentication;

/// <summary>What the server does with a users file that is missing or malformed when it starts.</summary>
[CancelAfter(60_000)]
public class UsersFileStartupTests
{
    [Test]
    public async Task MissingUsersFileStartsTheServerRefusingEveryLoginWithAWarning(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(writeUsersFile: false);

        var warning = await server.Logs.WaitForEventAsync(101, cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(warning.Level, Is.EqualTo(LogEventLevel.Warning));
            Assert.That(LogCapture.Property(warning, "UsersFile"), Is.EqualTo(server.UsersFile));
        });
        await server.AssertRawLoginRefusedAsync("test1", "pass1", ct);
        await server.AssertRawLoginRefusedAsync("test2", "pass2", ct);
        Assert.That(await server.PostTokenStatusAsync("test1", "pass1", ct), Is.EqualTo(HttpStatusCode.Unauthorized));
        using var health = await server.Http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server serves without users");
    }

    [Test]
    public async Task UsersFileCreatedAfterTheStartEnablesLogins(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(writeUsersFile: false);

        await server.ReplaceUsersFileAsync(new Dictionary<string, string> { ["test1"] = "pass1" }, ct);

        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
    }

    [Test]
    public async Task MalformedUsersFileStopsTheStartNamingTheFileAndTheLine(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var usersFile = Path.Combine(directory, "users.json");
        try
        {
            // Line 3 has an unquoted password.
            await File.WriteAllTextAsync(usersFile, "{\n  \"test1\": \"pass1\",\n  \"test2\": pass2\n}\n", ct);

            await Assert.ThatAsync(
                () => ChatterServer.StartAsync(directory: directory, writeUsersFile: false).WaitAsync(ct),
                Throws.Exception.With.Message.Contain(usersFile).And.Message.Contain("line 3"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("[\"test1\", \"pass1\"]")]
    [TestCase("{\"test1\": 1}")]
    [TestCase("")]
    public async Task UsersFileThatIsNotAnObjectOfPasswordsStopsTheStartNamingTheFile(string content, CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var usersFile = Path.Combine(directory, "users.json");
        try
        {
            await File.WriteAllTextAsync(usersFile, content, ct);

            await Assert.ThatAsync(
                () => ChatterServer.StartAsync(directory: directory, writeUsersFile: false).WaitAsync(ct),
                Throws.Exception.With.Message.Contain(usersFile));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
