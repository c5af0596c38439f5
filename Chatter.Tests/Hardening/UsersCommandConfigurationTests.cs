using System.Diagnostics;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// The real <c>Chatter.Server users</c> command line reads its configuration exactly as the server does
/// (appsettings.json, appsettings.{Environment}.json, environment variables, command line), so it edits the file the
/// server reads; and commands run at once wait for each other rather than lose an update or fail.
/// </summary>
[CancelAfter(120_000)]
public class UsersCommandConfigurationTests
{
    private DirectoryInfo directory = null!;
    private string work = null!;
    private string workUsers = null!;

    [SetUp]
    public void CreateDirectories()
    {
        directory = Directory.CreateTempSubdirectory("chatter-users-config-");
        work = Directory.CreateDirectory(Path.Combine(directory.FullName, "work")).FullName;
        workUsers = Path.Combine(work, "users.json");
        File.WriteAllText(workUsers, """{"test1": "pass1"}""");
    }

    [TearDown]
    public void DeleteDirectories() => directory.Delete(recursive: true);

    [Test]
    public async Task UsersFileOfTheEnvironmentsAppSettingsIsTheFileEdited(CancellationToken ct)
    {
        var server = ServerCopy.Create(Path.Combine(directory.FullName, "app"));
        var production = Path.Combine(directory.FullName, "etc", "users.json");
        Directory.CreateDirectory(Path.GetDirectoryName(production)!);
        await File.WriteAllTextAsync(production, """{"test2": "pass2"}""", ct);
        await File.WriteAllTextAsync(
            Path.Combine(Path.GetDirectoryName(server)!, "appsettings.Production.json"),
            System.Text.Json.JsonSerializer.Serialize(new { Chatter = new { UsersFile = production } }),
            ct);

        var (code, output, error) = await RunAsync(server, new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "bob-pw", ct, "users", "add", "bob");

        Assert.That(code, Is.Zero, error);
        Assert.That(output.Trim(), Is.EqualTo($"added 'bob' to {production}"));
        Assert.That(Names(production), Is.EqualTo(new[] { "test2", "bob" }));
        Assert.That(Names(workUsers), Is.EqualTo(new[] { "test1" }), "the working directory's users.json is not the server's here");
    }

    [Test]
    public async Task UsersFileOnTheCommandLineIsTheFileEdited(CancellationToken ct)
    {
        var other = Path.Combine(directory.FullName, "other.json");

        var (code, _, error) = await RunAsync(DefaultServer, [], "bob-pw", ct, "users", "add", "bob", $"--Chatter:UsersFile={other}", "--iterations", "100000");

        Assert.That(code, Is.Zero, error);
        Assert.That(Names(other), Is.EqualTo(new[] { "bob" }));
        Assert.That(Names(workUsers), Is.EqualTo(new[] { "test1" }));
    }

    [Test]
    public async Task UsersFileOfAnEnvironmentVariableIsTheFileEdited(CancellationToken ct)
    {
        var other = Path.Combine(directory.FullName, "other.json");

        var (code, _, error) = await RunAsync(DefaultServer, new() { ["Chatter__UsersFile"] = other }, "bob-pw", ct, "users", "add", "bob", "--iterations", "100000");

        Assert.That(code, Is.Zero, error);
        Assert.That(Names(other), Is.EqualTo(new[] { "bob" }));
    }

    [Test]
    public async Task CommandsRunAtOnceAreSerializedAndLoseNoUpdate(CancellationToken ct)
    {
        // Default iterations: each command holds the lock for a noticeable time, so the four overlap.
        var users = Enumerable.Range(1, 4).Select(i => $"user{i}").ToList();

        var runs = await Task.WhenAll(users.Select(user => RunAsync(DefaultServer, [], $"{user}-pw", ct, "users", "add", user)));

        // Each one either had the lock at once or said that it waited for it ("waiting for another users command").
        Assert.That(runs.Select(run => run.Code), Is.All.Zero, string.Join("\n", runs.Select(run => run.Error)));
        Assert.That(runs.Select(run => run.Error), Is.All.Empty.Or.StartsWith("waiting for another users command"));
        Assert.That(Names(workUsers), Is.EquivalentTo(users.Prepend("test1")));
    }

    private static string DefaultServer => Path.Combine(AppContext.BaseDirectory, "Chatter.Server.dll");

    private async Task<(int Code, string Output, string Error)> RunAsync(
        string server, Dictionary<string, string> environment, string password, CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(server);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output, await error);
    }

    private static List<string> Names(string path) => UsersFile.ReadEntries(File.ReadAllBytes(path), path).Select(e => e.Key).ToList();
}
