using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL for tests, from Debian's <c>postgresql</c> package: <c>initdb</c> in a temporary directory, then
/// <c>pg_ctl</c> on a free loopback port (TCP only, trust authentication on loopback, <c>fsync</c> and
/// <c>synchronous_commit</c> left on); never the system cluster. As root, initdb and pg_ctl run as the <c>postgres</c> user
/// (initdb refuses root) in a directory it owns. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> make an outage
/// on the same port and data. When initdb is missing the calling test is ignored with the install command.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string NotFound = "initdb not found; install it with: apt-get install -y postgresql";

    private readonly string bin;
    private readonly bool asPostgresUser;
    private bool running;

    private PostgresServer(string bin, string directory, int port, bool asPostgresUser)
    {
        this.bin = bin;
        Directory = directory;
        Port = port;
        this.asPostgresUser = asPostgresUser;
    }

    public string Directory { get; }

    public int Port { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database = "postgres")
        => new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>initdb, then starts the server and returns once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var initdb = RedisServer.FindOnPath("initdb")
            ?? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Order().Select(v => Path.Combine(v, "bin", "initdb")).LastOrDefault(File.Exists);
        if (initdb is null)
        {
            Assert.Ignore(NotFound);
        }

        // The directory of the real program (on PATH it is often a symlink into /usr/lib/postgresql/N/bin).
        var bin = Path.GetDirectoryName(new FileInfo(initdb!).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!;
        var asPostgresUser = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "chatter-pg-" + Guid.NewGuid().ToString("N"));
        var server = new PostgresServer(bin, directory, FreePort(), asPostgresUser);
        // Made by the user that runs the server, so that it owns it.
        await server.RunAsync("mkdir", ["-m", "700", directory], cancellationToken);
        await server.RunAsync(
            Path.Combine(bin, "initdb"),
            ["-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"],
            cancellationToken);
        await server.StartAgainAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on the same port and data; returns once it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var options = string.Join(' ', [
            "-c", "listen_addresses=127.0.0.1", "-c", $"port={Port.ToString(CultureInfo.InvariantCulture)}",
            "-c", "unix_socket_directories=''", "-c", "max_connections=300", "-c", "fsync=on", "-c", "synchronous_commit=on"]);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "-o", options, "start"], cancellationToken);
        running = true;
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m immediate</c>: every connection is cut, as in a crash) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (running)
        {
            running = false;
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
    }

    /// <summary>Creates a database of its own (for one test) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"t{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAsync();
        try
        {
            await RunAsync("rm", ["-rf", Directory], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>Runs <paramref name="program"/> (as the postgres user when the tests run as root); throws with its output when it fails.</summary>
    private async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // pg_ctl's server inherits the working directory: one the postgres user can enter.
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgresUser)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        // Read both to the end: pg_ctl's server keeps neither open (its output goes to -l).
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(90), cancellationToken);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(Directory, "server.log");
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} failed ({process.ExitCode}):\n{await output}\n{await error}\n{(File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "")}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
