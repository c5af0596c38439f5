using System.Globalization;
using System.Text.RegularExpressions;

namespace Chatter.Tests.Infrastructure;

/// <summary>One scrape of a Prometheus text endpoint, with lookups by metric name and labels.</summary>
public sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("/metrics", cancellationToken);
        response.EnsureSuccessStatusCode();
        return new PrometheusText(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels)
        => Samples().Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>True when some sample is named <paramref name="name"/>.</summary>
    public bool Has(string name) => Samples().Any(s => s.Name == name);

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples()
    {
        foreach (var line in Text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || Sample().Match(line) is not { Success: true } match)
            {
                continue;
            }

            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            yield return (match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
