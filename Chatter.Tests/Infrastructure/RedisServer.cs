using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A private <c>redis-server</c> for tests: a free loopback port, a temporary <c>--dir</c>, no snapshots and (unless asked
/// for) no AOF; never the system instance. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> make an outage on the
/// same port and directory. When redis-server is not on PATH the calling test is ignored with the install command.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string NotFound = "redis-server not found on PATH; install it with: apt-get install -y redis-server";

    private readonly string executable;
    private readonly bool appendOnly;
    private Process? process;

    private RedisServer(string executable, string directory, int port, bool appendOnly)
    {
        this.executable = executable;
        Directory = directory;
        Port = port;
        this.appendOnly = appendOnly;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server (<c>Chatter:Redis:Configuration</c>).</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts a server and returns once it answers. <paramref name="appendOnly"/>: AOF with <c>appendfsync always</c>, so
    /// its data survives a kill (the durable setting the README recommends).
    /// </summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false, CancellationToken cancellationToken = default)
    {
        var executable = FindOnPath("redis-server");
        if (executable is null)
        {
            Assert.Ignore(NotFound);
        }

        var directory = System.IO.Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", "redis-" + Guid.NewGuid().ToString("N"))).FullName;
        var server = new RedisServer(executable!, directory, FreePort(), appendOnly);
        await server.StartAgainAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on the same port and directory; returns once it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
            "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no", "--logfile", "",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var started = Process.Start(start)!;
        started.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                // Under the lock: the error stream's handler may be appending at this moment (a StringBuilder read while
                // written throws, and on a pool thread that crashes the test host).
                string seen;
                lock (output)
                {
                    seen = output.ToString();
                }

                ready.TrySetException(new InvalidOperationException($"redis-server exited before it was ready:\n{seen}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        started.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL: an outage, not a shutdown) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (process is { } running)
        {
            process = null;
            if (!running.HasExited)
            {
                running.Kill();
            }

            await running.WaitForExitAsync();
            running.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
