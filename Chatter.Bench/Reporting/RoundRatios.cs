using Chatter.Bench.Scenarios;

namespace Chatter.Bench.Reporting;

/// <summary>Chatter ÷ baseline of one figure in each round of a <c>compare --rounds</c>: the spread behind the median.</summary>
internal static class RoundRatios
{
    private static readonly string[] Headlines = ["deliveriesPerSecond", "loginsPerSecond", "p99Ms"];

    /// <summary>The figure a scenario is judged by: deliveries/s, logins/s, or the p99 latency.</summary>
    public static string Headline(ScenarioResult result) => Headlines.FirstOrDefault(key => result[key] is not null) ?? result.Metrics[0].Key;

    /// <summary>The ratio of the last target to the first in each round, for <paramref name="key"/>.</summary>
    public static IEnumerable<double> Of(IReadOnlyList<List<ScenarioResult>> byTarget, string key)
    {
        if (byTarget.Count < 2)
        {
            yield break;
        }

        for (var round = 0; round < byTarget[0].Count && round < byTarget[^1].Count; round++)
        {
            if (byTarget[0][round][key] is { } baseline && baseline != 0 && byTarget[^1][round][key] is { } chatter)
            {
                yield return chatter / baseline;
            }
        }
    }
}
