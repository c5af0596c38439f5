using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Chatter.Bench.Measurement;

/// <summary>
/// <c>--server-allocations</c>: what the server's .NET runtime allocates during the measured phase, read from outside
/// through its diagnostics port (EventPipe, as dotnet-trace does; no change to the server). The runtime raises a
/// <c>GCAllocationTick</c> event about every 100 KB allocated, with the type of the object that crossed the mark: their
/// sum is the allocated bytes (to about 100 KB), and their types a sampled allocation profile. Garbage collections
/// are counted per generation from <c>GCStart</c>.
/// </summary>
internal sealed class AllocationSampler
{
    private readonly EventPipeSession session;
    private readonly Task processing;
    private readonly Dictionary<string, long> byType = new(StringComparer.Ordinal);
    private readonly long[] collections = new long[3];
    private long allocated;

    private AllocationSampler(EventPipeSession session)
    {
        this.session = session;
        var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCAllocationTick += tick =>
        {
            allocated += tick.AllocationAmount64;
            var type = tick.TypeName ?? "?";
            byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
        };
        source.Clr.GCStart += gc => collections[Math.Clamp(gc.Depth, 0, 2)]++;
        processing = Task.Run(() =>
        {
            source.Process();
            source.Dispose();
        });
    }

    /// <summary>Starts sampling <paramref name="pid"/>; null (with the reason in <paramref name="error"/>) when it has no diagnostics port.</summary>
    public static AllocationSampler? TryStart(int pid, out string? error)
    {
        try
        {
            var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC);
            var session = new DiagnosticsClient(pid).StartEventPipeSession(provider, requestRundown: false, circularBufferMB: 64);
            error = null;
            return new AllocationSampler(session);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or ServerErrorException or IOException or TimeoutException)
        {
            error = $"server allocations not sampled: {ex.Message}";
            return null;
        }
    }

    /// <summary>Ends the session and returns what was sampled.</summary>
    public async Task<AllocationSample> StopAsync()
    {
        await session.StopAsync(CancellationToken.None);
        await processing;
        session.Dispose();
        var top = byType.OrderByDescending(t => t.Value).Take(8).Select(t => (t.Key, t.Value)).ToList();
        return new AllocationSample(allocated, collections[0], collections[1], collections[2], top);
    }
}
