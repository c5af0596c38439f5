using System.Globalization;

namespace Chatter.Bench.Cli;

/// <summary>
/// The command line after the scenario name: <c>--name value</c> pairs and bare <c>--flag</c>s. Every option is
/// read once through a typed getter with its default, so the help text and the code agree on the defaults.
/// </summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);

    private BenchArguments(IReadOnlyList<string> positional) => Positional = positional;

    /// <summary>Words that were not options (a scenario name after <c>compare</c>, a count after <c>users</c>).</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/>; a word after <c>--name</c> is its value unless it starts with <c>--</c>.</summary>
    public static BenchArguments Parse(IEnumerable<string> args)
    {
        var positional = new List<string>();
        var parsed = new BenchArguments(positional);
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(list[i]);
                continue;
            }

            var name = list[i][2..];
            string? value = null;
            if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = list[++i];
            }

            parsed.values[name] = value;
        }

        return parsed;
    }

    /// <summary>The first positional word, or null.</summary>
    public string? FirstPositional => Positional.Count > 0 ? Positional[0] : null;

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name, string? fallback = null) => values.TryGetValue(name, out var value) && value is not null ? value : fallback;

    public string RequiredString(string name)
        => String(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => values.TryGetValue(name, out var value) && value is not null
        ? int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture)
        : fallback;

    public double Double(string name, double fallback) => values.TryGetValue(name, out var value) && value is not null
        ? double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)
        : fallback;

    public int? OptionalInt(string name) => values.TryGetValue(name, out var value) && value is not null
        ? int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture)
        : null;

    /// <summary>The option names given that <paramref name="known"/> does not hold (typos must not pass silently).</summary>
    public IEnumerable<string> Unknown(IReadOnlySet<string> known) => values.Keys.Where(k => !known.Contains(k));
}
