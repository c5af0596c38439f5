namespace Chatter.Bench.Scenarios;

/// <summary>A figure of a run: <paramref name="Key"/> names it in the JSON line, <paramref name="Label"/> in the table.</summary>
internal sealed record Metric(string Key, string Label, double Value, string Format);
