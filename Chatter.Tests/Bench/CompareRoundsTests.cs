using System.Text.Json;
using Chatter.Bench.Reporting;
using Chatter.Bench.Scenarios;

namespace Chatter.Tests.Bench;

/// <summary>
/// <c>compare --rounds N</c>: each figure is the median of the rounds, a problem (a lost message) is never hidden by
/// the median, and the JSON line keeps every round's ratio of the headline figure.
/// </summary>
public class CompareRoundsTests
{
    [Test]
    public void EachFigureIsTheMedianOfTheRoundsAndLossesAreSummed()
    {
        ScenarioResult[] rounds = [Round("chatter", 900, lost: 0), Round("chatter", 1_100, lost: 3), Round("chatter", 700, lost: 0)];

        var median = ScenarioResult.MedianOf(rounds);

        Assert.Multiple(() =>
        {
            Assert.That(median["deliveriesPerSecond"], Is.EqualTo(900));
            Assert.That(median["lost"], Is.EqualTo(3), "one round's loss shows in the result");
            Assert.That(median.Metrics.Select(m => m.Key), Is.EqualTo(rounds[0].Metrics.Select(m => m.Key)), "the figures keep their order");
        });
    }

    [Test]
    public void TheJsonLineKeepsTheHeadlineRatioOfEveryRound()
    {
        List<ScenarioResult>[] byTarget =
        [
            [Round("baseline", 1_000, lost: 0), Round("baseline", 2_000, lost: 0)],
            [Round("chatter", 700, lost: 0), Round("chatter", 1_000, lost: 0)],
        ];
        var headline = RoundRatios.Headline(byTarget[1][0]);

        var json = ResultReport.ToJson([ScenarioResult.MedianOf(byTarget[0]), ScenarioResult.MedianOf(byTarget[1])], (headline, RoundRatios.Of(byTarget, headline).ToArray()));

        using var document = JsonDocument.Parse(json);
        Assert.That(headline, Is.EqualTo("deliveriesPerSecond"));
        Assert.That(document.RootElement.GetProperty("roundRatios").GetProperty(headline).EnumerateArray().Select(r => r.GetDouble()), Is.EqualTo(new[] { 0.7, 0.5 }));
    }

    private static ScenarioResult Round(string target, double deliveriesPerSecond, int lost)
        => new ScenarioResult("saturate", target).Add("deliveriesPerSecond", "deliveries/s", deliveriesPerSecond).Add("lost", "lost", lost);
}
