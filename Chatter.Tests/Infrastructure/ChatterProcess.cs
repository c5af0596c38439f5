using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Chatter.Server as a real child process (the build beside the tests), in a directory of the test's,
/// listening on a free loopback port. <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
public sealed partial class ChatterProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder output;
    private readonly ChannelReader<string> outputLines;

    private ChatterProcess(Process process, Uri httpUri, System.Text.StringBuilder output, ChannelReader<string> outputLines)
    {
        this.process = process;
        this.output = output;
        this.outputLines = outputLines;
        // An address on every interface (0.0.0.0, [::]) is reached on loopback.
        HttpUri = httpUri.Host is "0.0.0.0" or "[::]" ? new UriBuilder(httpUri) { Host = "127.0.0.1" }.Uri : httpUri;
        ListeningUri = httpUri;
        WsUri = new Uri($"ws://{httpUri.Authority}/ws/chat");
        HubUri = new Uri(httpUri, "/hubs/chat");
    }

    /// <summary>The address of the first "Now listening on" line of the process, as it wrote it.</summary>
    public Uri ListeningUri { get; }

    /// <summary><see cref="ListeningUri"/>, or loopback on its port when that is every interface: where a test reaches the server.</summary>
    public Uri HttpUri { get; }

    public Uri WsUri { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far, line by line as it arrived.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public Uri HubUri { get; }

    /// <summary>The environment variables by which ASP.NET Core takes an address; <see cref="StartInfo"/> removes them all.</summary>
    public static readonly IReadOnlyList<string> AddressVariables =
        ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS", "URLS", "HTTP_PORTS", "HTTPS_PORTS"];

    /// <summary>Starts Chatter.Server in <paramref name="directory"/> on a free loopback port (<c>--urls http://127.0.0.1:0</c>) with <paramref name="settings"/>.</summary>
    public static Task<ChatterProcess> StartAsync(string directory, CancellationToken cancellationToken, params string[] settings)
        => StartAsync(StartInfo(directory, ["--urls", "http://127.0.0.1:0", .. settings]), cancellationToken);

    /// <summary>
    /// <c>dotnet Chatter.Server.dll</c> with exactly <paramref name="arguments"/>, in <paramref name="directory"/>, in the
    /// test's environment without any <see cref="AddressVariables"/> (a test adds the ones it is about).
    /// </summary>
    public static ProcessStartInfo StartInfo(string directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Chatter.Server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in AddressVariables)
        {
            start.Environment.Remove(variable);
        }

        return start;
    }

    /// <summary>Starts <paramref name="start"/> (see <see cref="StartInfo"/>) and returns once it listens, or throws with its output.</summary>
    public static async Task<ChatterProcess> StartAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var lines = Channel.CreateUnbounded<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"Chatter.Server exited before listening:\n{output}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            lines.Writer.TryWrite(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ChatterProcess(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken), output, lines.Reader);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns once stdout holds <paramref name="text"/> at least <paramref name="occurrences"/> times (already written or
    /// still to come), or a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken, int occurrences = 1)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler watch = (_, e) =>
        {
            if (e.Data?.Contains(text, StringComparison.Ordinal) == true && Occurrences() >= occurrences)
            {
                seen.TrySetResult();
            }
        };
        process.OutputDataReceived += watch;
        try
        {
            // Watching first, then the output so far: a line written in between is seen by one or the other.
            if (Occurrences() < occurrences)
            {
                await seen.Task.WaitAsync(timeout, cancellationToken);
            }
        }
        finally
        {
            process.OutputDataReceived -= watch;
        }

        int Occurrences()
        {
            var output = Output;
            var count = 0;
            for (var at = output.IndexOf(text, StringComparison.Ordinal); at >= 0; at = output.IndexOf(text, at + text.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>The next line of standard output that satisfies <paramref name="predicate"/> (earlier ones are consumed), or a timeout.</summary>
    public async Task<string> WaitForOutputLineAsync(Func<string, bool> predicate, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await outputLines.ReadAsync(timeout.Token);
            OutputLines.Add(line);
            if (predicate(line))
            {
                return line;
            }
        }
    }

    /// <summary>The standard output lines read so far by <see cref="WaitForOutputLineAsync"/>.</summary>
    public List<string> OutputLines { get; } = [];

    /// <summary>
    /// SIGTERM (what systemd, Docker and Ctrl-C send), then wait up to <paramref name="timeout"/> for the exit.
    /// Returns the exit code and the time from the signal to the exit.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Elapsed)> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        return (process.ExitCode, started.Elapsed);
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    // Text ("Now listening on: http://…") or compact JSON ("@mt":"Now listening on: {address}",…,"address":"http://…").
    [GeneratedRegex(@"Now listening on.*?(https?://[^\s""]+)")]
    private static partial Regex ListeningOn();
}
