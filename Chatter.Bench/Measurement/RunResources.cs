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
    private AllocationSampler? allocations;

    private RunResources(int? serverPid) => this.serverPid = serverPid;

    public TimeSpan ClientCpu { get; private set; }

    public ProcessSample? ServerBefore { get; private set; }

    public ProcessSample? ServerAfter { get; private set; }

    public TimeSpan Elapsed => watch.Elapsed;

    /// <summary>What the server allocated over the phase, when <c>--server-allocations</c> asked for it.</summary>
    public AllocationSample? ServerAllocations { get; private set; }

    /// <summary>Why <see cref="ServerAllocations"/> is missing although it was asked for.</summary>
    public string? AllocationsError { get; private set; }

    private readonly Stopwatch watch = new();

    /// <summary>
    /// Samples now; <paramref name="serverPid"/> null means the server's figures are not reported. With
    /// <paramref name="allocations"/> the server's allocations are sampled too (<see cref="AllocationSampler"/>).
    /// </summary>
    public static RunResources Start(int? serverPid, bool allocations = false)
    {
        var resources = new RunResources(serverPid);
        if (allocations)
        {
            if (serverPid is { } server)
            {
                resources.allocations = AllocationSampler.TryStart(server, out var error);
                resources.AllocationsError = error;
            }
            else
            {
                resources.AllocationsError = "server allocations not sampled: the server's process is not known (--server-pid)";
            }
        }

        resources.clientStart = OwnCpu();
        resources.ServerBefore = serverPid is { } pid ? ProcessStats.Read(pid) : null;
        resources.watch.Start();
        return resources;
    }

    public async Task<RunResources> StopAsync()
    {
        watch.Stop();
        ClientCpu = OwnCpu() - clientStart;
        ServerAfter = serverPid is { } pid ? ProcessStats.Read(pid) : null;
        if (allocations is not null)
        {
            ServerAllocations = await allocations.StopAsync();
        }

        return this;
    }

    /// <summary>This process's user + system CPU time so far.</summary>
    public static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
