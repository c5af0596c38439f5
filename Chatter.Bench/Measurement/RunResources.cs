using System.Diagnostics;

namespace Chatter.Bench.Measurement;

/// <summary>
/// The bench's own CPU time and the server's CPU time and memory over a measured phase: <see cref="Start"/> before it,
/// <see cref="Stop"/> after, so that a run tells whether the client or the server was the bottleneck.
/// </summary>
internal sealed class RunResources
{
    private readonly int? serverPid;
    private TimeSpan clientStart;

    private RunResources(int? serverPid) => this.serverPid = serverPid;

    public TimeSpan ClientCpu { get; private set; }

    public ProcessSample? ServerBefore { get; private set; }

    public ProcessSample? ServerAfter { get; private set; }

    public TimeSpan Elapsed => watch.Elapsed;

    private readonly Stopwatch watch = new();

    /// <summary>Samples now; <paramref name="serverPid"/> null means the server's figures are not reported.</summary>
    public static RunResources Start(int? serverPid)
    {
        var resources = new RunResources(serverPid);
        resources.clientStart = OwnCpu();
        resources.ServerBefore = serverPid is { } pid ? ProcessStats.Read(pid) : null;
        resources.watch.Start();
        return resources;
    }

    public RunResources Stop()
    {
        watch.Stop();
        ClientCpu = OwnCpu() - clientStart;
        ServerAfter = serverPid is { } pid ? ProcessStats.Read(pid) : null;
        return this;
    }

    /// <summary>This process's user + system CPU time so far.</summary>
    public static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
