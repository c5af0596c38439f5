using Chatter.Bench.Scenarios;
using ScottPlot;

namespace Chatter.Bench.Reporting;

/// <summary>
/// <c>--chart FILE.svg</c>: the latency distribution of each target (HdrHistogram's percentile plot: x is the
/// percentile on a "number of nines" scale, y milliseconds), drawn with ScottPlot, whose SVG export runs on SkiaSharp
/// with the Linux native asset that ScottPlot brings (SkiaSharp.NativeAssets.Linux.NoDependencies: no fontconfig needed).
/// </summary>
internal static class LatencyChart
{
    public static void Save(string path, IReadOnlyList<ScenarioResult> results)
    {
        var plot = new Plot();
        var ticks = new List<Tick>();
        foreach (var (label, percentile) in new[] { ("p0", 0.0), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("p99.99", 99.99), ("p99.999", 99.999) })
        {
            ticks.Add(new Tick(Nines(percentile), label));
        }

        foreach (var result in results.Where(r => r.Latency is { Count: > 0 }))
        {
            var points = result.Latency!.Distribution().Where(p => p.Percentile < 100).ToList();
            var line = plot.Add.ScatterLine(points.Select(p => Nines(p.Percentile)).ToArray(), points.Select(p => p.Microseconds / 1000.0).ToArray());
            line.LegendText = $"{result.Target} (p99 {result.Latency.ValueAt(99) / 1000.0:N1} ms, max {result.Latency.Max / 1000.0:N1} ms)";
            line.LineWidth = 2;
        }

        var highest = results.Where(r => r.Latency is { Count: > 0 }).Select(r => r.Latency!.Max / 1000.0).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, highest * 1.05);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Bottom.Label.Text = "percentile";
        plot.Axes.Left.Label.Text = "latency (ms)";
        plot.Axes.Title.Label.Text = $"{results[0].Scenario}: latency distribution";
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SaveSvg(path, 800, 500);
    }

    /// <summary>p → −log10(1 − p/100): p90 is 1, p99 is 2, p99.9 is 3.</summary>
    private static double Nines(double percentile) => -Math.Log10(Math.Max(1 - (percentile / 100), 1e-6));
}
