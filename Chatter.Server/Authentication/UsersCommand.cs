using System.Globalization;
using Chatter.Server.Configuration;

namespace Chatter.Server.Authentication;

/// <summary>
/// <c>dotnet run --project Chatter.Server -- users COMMAND</c>: manages <c>users.json</c> without starting the
/// server. <c>add NAME</c> (password from a no-echo prompt, or one line of standard input), <c>remove NAME</c>,
/// <c>list</c>, <c>hash-all</c>. The file is the one the server reads: the configuration is read exactly as the server
/// reads it (<see cref="ChatterHostOptions"/>). It is rewritten atomically, through a symbolic link to its target, the
/// other entries untouched; one command at a time (<see cref="UsersFileLock"/>); a running server picks the change up.
/// </summary>
internal sealed class UsersCommand(TextReader input, TextWriter output, TextWriter error, bool interactive)
{
    public const string Usage = """
        usage: Chatter.Server users [--file PATH] [--iterations N] COMMAND
          add NAME      add NAME, or set a new password for NAME; the password is read from a prompt
                        (not echoed) or from the first line of standard input, and stored hashed
          remove NAME   remove NAME
          list          the user names, each with "hashed" or "plain"
          hash-all      replace every plain-text password by its hash
        --file PATH     the users file (default: Chatter:UsersFile as the server reads it, else users.json
                        in the working directory)
        --iterations N  PBKDF2-HMAC-SHA256 iterations for new hashes (default 600000)
        Other --KEY VALUE or --KEY=VALUE arguments are configuration, as for the server
        (--environment Production, --Chatter:UsersFile /etc/chatter/users.json).
        The lock file PATH.lock beside the users file (its target, when it is a link) stays; do not delete it.
        """;

    /// <summary>
    /// <c>Chatter.Server users ...</c> (<paramref name="args"/> as the program got them): reads the configuration as the
    /// server does, then runs the command against the console; returns the exit code.
    /// </summary>
    public static int Run(string[] args)
    {
        string defaultPath;
        using (var configuration = ChatterHostOptions.ReadConfiguration(args))
        {
            defaultPath = configuration[$"{ChatterOptions.Section}:{nameof(ChatterOptions.UsersFile)}"] ?? "users.json";
        }

        return new UsersCommand(Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected).Execute(args[1..], defaultPath);
    }

    /// <summary>Parses <paramref name="args"/> (what follows <c>users</c>) and runs the command; returns the exit code.</summary>
    public int Execute(IReadOnlyList<string> args, string defaultPath)
    {
        var path = defaultPath;
        var iterations = PasswordHash.DefaultIterations;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--file" when i + 1 < args.Count:
                    path = args[++i];
                    break;
                case "--iterations" when i + 1 < args.Count:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
                        || iterations is < PasswordHash.MinIterations or > PasswordHash.MaxIterations)
                    {
                        return Fail($"--iterations must be a number from {PasswordHash.MinIterations} to {PasswordHash.MaxIterations}");
                    }

                    break;
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                case var setting when setting.StartsWith('-'):
                    // Configuration for the host (read by Run); --KEY=VALUE is one argument, --KEY VALUE two.
                    i += setting.Contains('=', StringComparison.Ordinal) ? 0 : 1;
                    break;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        try
        {
            // One command at a time reads and rewrites the file; a second one waits for the first.
            using var exclusive = UsersFileLock.Acquire(path, UsersFileLock.DefaultTimeout, () => error.WriteLine(
                $"waiting for another users command to finish with {path} (lock file {UsersFileLock.PathOf(path)})"));
            return positional switch
            {
                ["add", var name] => Add(path, name, iterations),
                ["remove", var name] => Remove(path, name),
                ["list"] => List(path),
                ["hash-all"] => HashAll(path, iterations),
                _ => Fail(Usage),
            };
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            return Fail(ex.Message);
        }
    }

    private int Add(string path, string name, int iterations)
    {
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            return Fail("a user name must not be empty or hold control characters");
        }

        var password = ReadPassword(name);
        if (password is null)
        {
            return 1;
        }

        var entries = Read(path, mustExist: false);
        var hash = PasswordHash.Create(password, iterations);
        var at = entries.FindIndex(e => e.Key == name);
        if (at >= 0)
        {
            entries[at] = KeyValuePair.Create(name, hash);
        }
        else
        {
            entries.Add(KeyValuePair.Create(name, hash));
        }

        UsersFile.Write(path, entries);
        output.WriteLine(at >= 0 ? $"updated the password of '{name}' in {path}" : $"added '{name}' to {path}");
        return 0;
    }

    private int Remove(string path, string name)
    {
        var entries = Read(path, mustExist: true);
        if (entries.RemoveAll(e => e.Key == name) == 0)
        {
            return Fail($"no user '{name}' in {path}");
        }

        UsersFile.Write(path, entries);
        output.WriteLine($"removed '{name}' from {path}");
        return 0;
    }

    private int List(string path)
    {
        foreach (var (name, value) in Read(path, mustExist: true))
        {
            output.WriteLine($"{name}\t{(PasswordHash.LooksLikeHash(value) ? "hashed" : "plain")}");
        }

        return 0;
    }

    private int HashAll(string path, int iterations)
    {
        var entries = Read(path, mustExist: true);
        var converted = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (!PasswordHash.LooksLikeHash(entries[i].Value))
            {
                entries[i] = KeyValuePair.Create(entries[i].Key, PasswordHash.Create(entries[i].Value, iterations));
                converted++;
            }
        }

        if (converted > 0)
        {
            UsersFile.Write(path, entries);
        }

        output.WriteLine($"hashed {converted} plain-text password(s) in {path}; {entries.Count - converted} were hashed already");
        return 0;
    }

    /// <summary>The entries of the file, every value checked (a broken hash is refused before anything is written).</summary>
    private static List<KeyValuePair<string, string>> Read(string path, bool mustExist)
    {
        if (!File.Exists(path))
        {
            return mustExist ? throw new IOException($"users file '{path}' does not exist") : [];
        }

        var entries = UsersFile.ReadEntries(File.ReadAllBytes(path), path);
        foreach (var (name, value) in entries)
        {
            UsersFile.ToStoredPassword(name, value, path);
        }

        return entries;
    }

    private string? ReadPassword(string name)
    {
        string? password;
        if (interactive)
        {
            password = Prompt($"Password for {name}: ");
            if (password is not null && Prompt("Repeat it: ") != password)
            {
                Fail("the passwords differ; nothing was changed");
                return null;
            }
        }
        else
        {
            password = input.ReadLine();
        }

        if (string.IsNullOrEmpty(password))
        {
            Fail("the password must not be empty; nothing was changed");
            return null;
        }

        return password;
    }

    /// <summary>Reads a line from the terminal without echoing it.</summary>
    private string? Prompt(string text)
    {
        error.Write(text);
        var typed = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    error.WriteLine();
                    return typed.ToString();
                case ConsoleKey.Backspace when typed.Length > 0:
                    typed.Length--;
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        typed.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }

    private int Fail(string message)
    {
        error.WriteLine(message);
        return 1;
    }
}
