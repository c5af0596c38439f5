using Chatter.Bench.Measurement;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// One scenario run against one target: its figures in display order, the merged latency histogram (for the chart),
/// and notes (errors seen, why a figure is missing).
/// </summary>
internal sealed class ScenarioResult(string scenario, string target)
{
    private readonly List<Metric> metrics = [];

    public string Scenario { get; } = scenario;

    public string Target { get; } = target;

    public IReadOnlyList<Metric> Metrics => metrics;

    public LatencyHistogram? Latency { get; set; }

    public List<string> Notes { get; } = [];

    public double? this[string key] => metrics.FirstOrDefault(m => m.Key == key)?.Value;

    /// <summary>The figures that count a problem (a lost message, a failed login): never hidden by a median.</summary>
    public static readonly IReadOnlySet<string> ProblemCounts = new HashSet<string>(StringComparer.Ordinal) { "lost", "duplicated", "failed", "errors" };

    /// <summary>
    /// One target's rounds as one result: each figure is the median of the rounds (the upper middle for an even count),
    /// except <see cref="ProblemCounts"/>, which are summed; the latency histogram (for the chart) is the middle round's.
    /// </summary>
    public static ScenarioResult MedianOf(IReadOnlyList<ScenarioResult> rounds)
    {
        var first = rounds[0];
        var median = new ScenarioResult(first.Scenario, first.Target) { Latency = rounds[rounds.Count / 2].Latency };
        foreach (var metric in first.Metrics)
        {
            var values = rounds.Select(r => r[metric.Key]).OfType<double>().Order().ToList();
            var value = ProblemCounts.Contains(metric.Key) ? values.Sum() : values[values.Count / 2];
            median.Add(metric.Key, metric.Label, value, metric.Format);
        }

        median.Notes.AddRange(rounds.SelectMany(r => r.Notes).Distinct());
        return median;
    }

    /// <summary>Adds a figure; <paramref name="format"/> is a .NET numeric format for the table (the JSON line has the raw value).</summary>
    public ScenarioResult Add(string key, string label, double value, string format = "N0")
    {
        metrics.Add(new Metric(key, label, value, format));
        return this;
    }

    /// <summary>p50/p90/p99/p99.9/max in milliseconds from <paramref name="latency"/>, and keeps it for the chart.</summary>
    public ScenarioResult AddLatency(LatencyHistogram latency, string what = "latency")
    {
        Latency = latency;
        foreach (var (key, label, percentile) in new[] { ("p50", "p50", 50.0), ("p90", "p90", 90), ("p99", "p99", 99), ("p999", "p99.9", 99.9) })
        {
            Add($"{key}Ms", $"{what} {label} (ms)", latency.ValueAt(percentile) / 1000.0, "N2");
        }

        return Add("maxMs", $"{what} max (ms)", latency.Max / 1000.0, "N2");
    }

    /// <summary>Client CPU, and when the server's process is known its CPU and memory, between two samples.</summary>
    public ScenarioResult AddResources(RunResources resources)
    {
        Add("clientCpuS", "client CPU (s)", resources.ClientCpu.TotalSeconds, "N2");
        if (resources.ServerBefore is { } before && resources.ServerAfter is { } after)
        {
            Add("serverCpuS", "server CPU (s)", (after.Cpu - before.Cpu).TotalSeconds, "N2");
            Add("serverRssMiB", "server RSS after (MiB)", after.RssBytes / 1048576.0, "N1");
        }

        if (resources.ServerAllocations is { } allocations)
        {
            Add("serverAllocatedMiB", "server allocated (MiB)", allocations.Bytes / 1048576.0, "N1");
            Add("serverGen0", "server GCs: gen0", allocations.Gen0);
            Add("serverGen1", "server GCs: gen1", allocations.Gen1);
            Add("serverGen2", "server GCs: gen2", allocations.Gen2);
            Notes.Add("server allocations by type (sampled every ~100 KB): "
                + string.Join(", ", allocations.TopTypes.Select(t => $"{t.Type} {t.Bytes / 1048576.0:N1} MiB")));
        }

        if (resources.AllocationsError is { } error)
        {
            Notes.Add(error);
        }

        return this;
    }
}
