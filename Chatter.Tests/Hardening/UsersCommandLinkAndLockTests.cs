using Chatter.Server.Authentication;

namespace Chatter.Tests.Hardening;

/// <summary>
/// <c>users</c> commands keep a symbolically linked users file a link (the target is rewritten), and one waits for
/// another's lock instead of failing or going ahead.
/// </summary>
[CancelAfter(60_000)]
public class UsersCommandLinkAndLockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private DirectoryInfo directory = null!;
    private string path = null!;

    [SetUp]
    public void CreateFile()
    {
        directory = Directory.CreateTempSubdirectory("chatter-users-");
        path = Path.Combine(directory.FullName, "users.json");
        File.WriteAllText(path, """{"test1": "pass1"}""");
    }

    [TearDown]
    public void DeleteFile() => directory.Delete(recursive: true);

    [Test]
    public void ASymlinkedUsersFileStaysALinkAndItsTargetGetsTheUser()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("symbolic links need privileges on Windows");
        }

        var target = Path.Combine(Directory.CreateDirectory(Path.Combine(directory.FullName, "secrets")).FullName, "users.json");
        File.Move(path, target);
        File.CreateSymbolicLink(path, Path.Combine("secrets", "users.json"));

        var (code, _, error) = Run(["add", "alice"], "alice-pw\n");

        Assert.That(code, Is.Zero, error);
        Assert.That(new FileInfo(path).LinkTarget, Is.EqualTo(Path.Combine("secrets", "users.json")), "still the same link");
        Assert.That(Names(target), Is.EqualTo(new[] { "test1", "alice" }));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName), Is.EquivalentTo(new[] { "users.json", "users.json.lock" }), "the lock beside the target, no temporary file left");
    }

    [Test]
    public async Task ACommandWaitsForTheLockAndThenKeepsTheHoldersChange(CancellationToken ct)
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var error = new SignallingWriter("waiting for another users command", waiting);
        Task<int> command;

        // Another command, in the middle of its change: it holds the lock.
        using (new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            command = Task.Run(() => new UsersCommand(new StringReader("carol-pw\n"), TextWriter.Null, error, interactive: false)
                .Execute(["add", "carol", "--iterations", PasswordHash.MinIterations.ToString(System.Globalization.CultureInfo.InvariantCulture)], path), ct);
            var first = await Task.WhenAny(waiting.Task, command).WaitAsync(Timeout, ct);
            Assert.That(first, Is.SameAs(waiting.Task), $"the command waits for the lock; it ended with {(command.IsCompleted ? command.Result : null)}: {error}");

            // The holder's write, while the command waits: it must not be lost.
            UsersFile.Write(path, [.. UsersFile.ReadEntries(File.ReadAllBytes(path), path), KeyValuePair.Create("dave", "dave-pw")]);
        }

        Assert.That(await command.WaitAsync(Timeout, ct), Is.Zero, error.ToString());
        Assert.That(Names(path), Is.EqualTo(new[] { "test1", "dave", "carol" }));
    }

    private (int Code, string Output, string Error) Run(string[] args, string input)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var arguments = args.Concat(["--iterations", PasswordHash.MinIterations.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToList();
        var code = new UsersCommand(new StringReader(input), output, error, interactive: false).Execute(arguments, path);
        return (code, output.ToString(), error.ToString());
    }

    private static List<string> Names(string file) => UsersFile.ReadEntries(File.ReadAllBytes(file), file).Select(e => e.Key).ToList();

    /// <summary>Collects what is written and completes <paramref name="signal"/> once a line holds <paramref name="text"/>.</summary>
    private sealed class SignallingWriter(string text, TaskCompletionSource signal) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
            }

            if (value?.Contains(text, StringComparison.Ordinal) == true)
            {
                signal.TrySetResult();
            }
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }
    }
}
