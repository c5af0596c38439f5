using Chatter.Protocol;
using Chatter.Server.History;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.History;

/// <summary>
/// The memory store's reads of every thread (the login replay, a page across threads) never hold up an append (REVIEW
/// M5): a scan paused half way through many threads, by the store's own per-thread seam, lets appends complete.
/// </summary>
[CancelAfter(60_000)]
public class InMemoryScanTests
{
    private const int Threads = 20_000;

    [TestCase("replay")]
    [TestCase("page")]
    public async Task AppendsCompleteWhileAScanOfEveryThreadIsPausedHalfWay(string scan, CancellationToken ct)
    {
        var history = new InMemoryChatHistory(Options.Create(new HistoryOptions()), TimeProvider.System);
        for (var i = 0; i < Threads; i++)
        {
            await history.AppendAsync($"t{i}", "m", "u", ct);
        }

        using var resume = new ManualResetEventSlim();
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var visited = 0;
        history.ThreadScanned = () =>
        {
            if (++visited == Threads / 2)
            {
                paused.SetResult();
                resume.Wait(ct);
            }
        };
        var scanning = Task.Run(async () => scan == "replay"
            ? await history.GetReplayAsync(null, 100, 1000, ct)
            : new ChatReplay(await history.GetPageAsync(null, null, 500, ct), -1, "", Complete: true), ct);
        await paused.Task.WaitAsync(ct);

        // One to a thread the scan has still to visit, one to a new thread.
        var appending = Task.Run(async () => new[]
        {
            await history.AppendAsync($"t{Threads - 1}", "during", "u", ct),
            await history.AppendAsync("new", "during", "u", ct),
        }, ct);
        ChatMessage[] during;
        try
        {
            // Bounded so that a store whose append waits behind the scan fails here instead of hanging.
            during = await appending.WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.That(scanning.IsCompleted, Is.False, "the appends completed while the scan was paused");
        }
        finally
        {
            resume.Set();
        }

        var result = await scanning;
        Assert.That(during.Select(m => m.Id), Is.EqualTo(new long[] { Threads + 1, Threads + 2 }));
        if (scan == "replay")
        {
            // The high-water id is the snapshot's; the messages appended during the scan come live, not in the replay.
            Assert.That(result.HighWater, Is.EqualTo(Threads));
            Assert.That(result.Messages.Select(m => m.Id), Is.EqualTo(Enumerable.Range(Threads - 999, 1000).Select(i => (long)i)));
        }
        else
        {
            Assert.That(result.Messages, Has.Count.EqualTo(500));
        }

        Assert.That((await history.GetReplayAsync(null, 100, 1000, ct)).HighWater, Is.EqualTo(Threads + 2));
    }
}
