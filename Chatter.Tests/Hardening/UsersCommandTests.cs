using System.Diagnostics;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Hardening;

/// <summary>
/// <c>Chatter.Server users add|remove|list|hash-all</c>: the file is rewritten atomically, the other entries
/// untouched, and a running server picks the change up.
/// </summary>
[CancelAfter(60_000)]
public class UsersCommandTests
{
    private const int Iterations = PasswordHash.MinIterations;
    private static readonly string BobHash = PasswordHash.Create("bob-pw", Iterations);

    private DirectoryInfo directory = null!;
    private string path = null!;

    [SetUp]
    public void CreateFile()
    {
        directory = Directory.CreateTempSubdirectory("chatter-users-");
        path = Path.Combine(directory.FullName, "users.json");
        File.WriteAllText(path, $$"""{"test1": "pass1", "bob": "{{BobHash}}", "test2": "pass2"}""");
    }

    [TearDown]
    public void DeleteFile() => directory.Delete(recursive: true);

    [Test]
    public void AddHashesTheNewPasswordAndKeepsTheOthersExactly()
    {
        var (code, output, _) = Run("add alice", input: "alice-pw\n");
        Assert.That((code, output.Trim()), Is.EqualTo((0, $"added 'alice' to {path}")));

        var entries = Entries();
        Assert.That(entries.Select(e => e.Key), Is.EqualTo(new[] { "test1", "bob", "test2", "alice" }), "order kept, the new user last");
        Assert.That(entries.Take(3).Select(e => e.Value), Is.EqualTo(new[] { "pass1", BobHash, "pass2" }), "the others byte for byte");
        Assert.That(PasswordHash.TryParse(entries[3].Value, out var hash) && hash.Verify("alice-pw") && !hash.Verify("alice-pw\n"), Is.True);
        // The lock file stays (deleting it would let two commands hold two locks); no temporary file is left.
        Assert.That(directory.GetFiles().Select(f => f.Name), Is.EquivalentTo(new[] { "users.json", "users.json.lock" }));
    }

    [Test]
    public void AddOfAnExistingUserReplacesItsPasswordInPlace()
    {
        Assert.That(Run("add test1", input: "new-pw\n").Code, Is.Zero);
        var entries = Entries();
        Assert.That(entries.Select(e => e.Key), Is.EqualTo(new[] { "test1", "bob", "test2" }));
        Assert.That(PasswordHash.TryParse(entries[0].Value, out var hash) && hash.Verify("new-pw"), Is.True);
    }

    [Test]
    public void RemoveDropsOnlyThatUser()
    {
        Assert.That(Run("remove test1").Code, Is.Zero);
        Assert.That(Entries(), Is.EqualTo(new[] { KeyValuePair.Create("bob", BobHash), KeyValuePair.Create("test2", "pass2") }));
    }

    [Test]
    public void ListShowsNamesAndKindsNeverSecrets()
    {
        var (code, output, _) = Run("list");
        Assert.That(code, Is.Zero);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "test1\tplain", "bob\thashed", "test2\tplain" }));
    }

    [Test]
    public void HashAllConvertsPlainEntriesAndLeavesHashesAlone()
    {
        var (code, output, _) = Run("hash-all");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("hashed 2 plain-text password(s)"));
        var entries = Entries();
        Assert.That(entries[1].Value, Is.EqualTo(BobHash));
        Assert.Multiple(() =>
        {
            foreach (var (name, password) in new[] { ("test1", "pass1"), ("test2", "pass2") })
            {
                var value = entries.Single(e => e.Key == name).Value;
                Assert.That(PasswordHash.TryParse(value, out var hash) && hash.Verify(password), Is.True, name);
            }
        });
    }

    [Test]
    public void TheFileKeepsItsPermissions()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Unix file modes only");
        }
        else
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            File.SetUnixFileMode(path, mode);
            Assert.That(Run("add alice", input: "pw\n").Code, Is.Zero);
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(mode));
        }
    }

    [TestCase("remove nobody", "", "no user 'nobody'")]
    [TestCase("add alice", "\n", "must not be empty")]
    [TestCase("add", "", "usage:")]
    [TestCase("frobnicate", "", "usage:")]
    [TestCase("--iterations 5 add alice", "pw\n", "--iterations")]
    public void RefusalsExplainAndLeaveTheFileUnchanged(string args, string input, string message)
    {
        var before = File.ReadAllBytes(path);
        var (code, _, error) = Run(args, input);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(message));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public void ABrokenHashInTheFileStopsTheCommandBeforeItWrites()
    {
        File.WriteAllText(path, """{"test1": "pass1", "eve": "pbkdf2-sha256$1$x$y"}""");
        var before = File.ReadAllBytes(path);
        var (code, _, error) = Run("add alice", input: "pw\n");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("'eve'"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public async Task ARunningServerLetsAnAddedUserInAndARemovedUserOut(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var userDirectory = server.App.Services.GetRequiredService<UserDirectory>();

        await RunAndAwaitReloadAsync(userDirectory, $"--file {server.UsersFile} add dave", "dave-pw\n", ct);
        await using (var dave = await server.LoginRawAsync("dave", "dave-pw", cancellationToken: ct))
        {
            await dave.AssertNothingBeforeOwnAckAsync("t", ct);
        }

        await RunAndAwaitReloadAsync(userDirectory, $"--file {server.UsersFile} remove test2", "", ct);
        await server.AssertRawLoginRefusedAsync("test2", "pass2", ct);
        await using var test1 = await server.LoginRawAsync("test1", cancellationToken: ct);
    }

    [Test]
    public async Task TheRealCommandLineReadsThePasswordFromStandardInput(CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory.FullName,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Chatter.Server.dll"), "users", "add", "carol" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync("carol-pw");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);

        Assert.That(process.ExitCode, Is.Zero, error);
        Assert.That(output.Trim(), Is.EqualTo("added 'carol' to users.json"), "users.json of the working directory by default");
        Assert.That(PasswordHash.TryParse(Entries().Single(e => e.Key == "carol").Value, out var hash) && hash.Verify("carol-pw"), Is.True);
        Assert.That(output + error, Does.Not.Contain("carol-pw"));
    }

    private async Task RunAndAwaitReloadAsync(UserDirectory users, string args, string input, CancellationToken ct)
    {
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = users.ReloadToken.RegisterChangeCallback(_ => reloaded.TrySetResult(), null);
        var (code, _, error) = Run(args, input, defaultPath: "no-such-file.json");
        Assert.That(code, Is.Zero, error);
        await reloaded.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
    }

    private (int Code, string Output, string Error) Run(string args, string input = "", string? defaultPath = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var command = new UsersCommand(new StringReader(input), output, error, interactive: false);
        var arguments = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--iterations").Append(Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (args.Contains("--iterations", StringComparison.Ordinal))
        {
            arguments = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        var code = command.Execute(arguments.ToList(), defaultPath ?? path);
        return (code, output.ToString(), error.ToString());
    }

    private List<KeyValuePair<string, string>> Entries() => UsersFile.ReadEntries(File.ReadAllBytes(path), path);
}
