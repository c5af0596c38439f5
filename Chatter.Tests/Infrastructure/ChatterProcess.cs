using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Chatter.Server as a real child process (the build beside the tests), in a directory of the test's,
/// listening on a free loopback port. <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
public sealed partial class ChatterProcess : IAsyncDisposable
{
    private readonly Process process;

    private ChatterProcess(Process process, Uri httpUri)
    {
        this.process = process;
        HttpUri = httpUri;
        WsUri = new Uri($"ws://{httpUri.Authority}/ws/chat");
        HubUri = new Uri(httpUri, "/hubs/chat");
    }

    public Uri HttpUri { get; }

    public Uri WsUri { get; }

    public Uri HubUri { get; }

    public static async Task<ChatterProcess> StartAsync(string directory, CancellationToken cancellationToken, params string[] settings)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Chatter.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
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
            return new ChatterProcess(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

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

    [GeneratedRegex(@"Now listening on: (http://[0-9.:]+)")]
    private static partial Regex ListeningOn();
}
