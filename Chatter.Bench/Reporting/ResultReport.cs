using System.Globalization;
using System.Text.Json;
using Chatter.Bench.Scenarios;
using Spectre.Console;

namespace Chatter.Bench.Reporting;

/// <summary>
/// The end of a run: a table of every figure with one column per target (and, with two targets, the ratio of the
/// second to the first: Chatter ÷ baseline), the notes, and one JSON line holding the same figures for scripts.
/// </summary>
internal static class ResultReport
{
    public static void Write(IAnsiConsole console, IReadOnlyList<ScenarioResult> results, (string Key, double[] Ratios)? rounds = null)
    {
        var table = new Table().Title($"{results[0].Scenario}").AddColumn("figure");
        foreach (var result in results)
        {
            table.AddColumn(new TableColumn(result.Target).RightAligned());
        }

        if (results.Count == 2)
        {
            table.AddColumn(new TableColumn($"{results[1].Target} ÷ {results[0].Target}").RightAligned());
        }

        foreach (var key in results.SelectMany(r => r.Metrics).Select(m => m.Key).Distinct())
        {
            var metric = results.SelectMany(r => r.Metrics).First(m => m.Key == key);
            var cells = new List<string> { metric.Label };
            cells.AddRange(results.Select(r => r.Metrics.FirstOrDefault(m => m.Key == key) is { } m ? m.Value.ToString(m.Format, CultureInfo.InvariantCulture) : "–"));
            if (results.Count == 2)
            {
                cells.Add(results[0][key] is { } a && results[1][key] is { } b && a != 0 ? (b / a).ToString("N2", CultureInfo.InvariantCulture) : "");
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
        foreach (var result in results)
        {
            foreach (var note in result.Notes)
            {
                console.MarkupLineInterpolated($"[yellow]{result.Target}: {note}[/]");
            }
        }

        console.Profile.Out.Writer.WriteLine(ToJson(results, rounds));
        console.Profile.Out.Writer.Flush();
    }

    /// <summary>
    /// <c>{"scenario":…,"targets":{"chatter":{…},"baseline":{…}},"ratios":{…}}</c> on one line; after several rounds also
    /// <c>"roundRatios":{"deliveriesPerSecond":[…]}</c>, the headline figure's ratio in each round.
    /// </summary>
    public static string ToJson(IReadOnlyList<ScenarioResult> results, (string Key, double[] Ratios)? rounds = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("scenario", results[0].Scenario);
            json.WriteString("date", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            json.WriteStartObject("targets");
            foreach (var result in results)
            {
                json.WriteStartObject(result.Target);
                foreach (var metric in result.Metrics)
                {
                    json.WriteNumber(metric.Key, Math.Round(metric.Value, 3));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (results.Count == 2)
            {
                json.WriteStartObject("ratios");
                foreach (var metric in results[1].Metrics)
                {
                    if (results[0][metric.Key] is { } a && a != 0)
                    {
                        json.WriteNumber(metric.Key, Math.Round(metric.Value / a, 3));
                    }
                }

                json.WriteEndObject();
            }

            if (rounds is var (key, ratios))
            {
                json.WriteStartObject("roundRatios");
                json.WriteStartArray(key);
                foreach (var ratio in ratios)
                {
                    json.WriteNumberValue(Math.Round(ratio, 3));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
