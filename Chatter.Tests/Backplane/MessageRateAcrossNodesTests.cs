using System.Diagnostics;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// With Redis the message rate is one budget per user across every node: a user with a connection on each of two
/// nodes gets the burst once in all, not once per connection.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public class MessageRateAcrossNodesTests : RedisTestBase
{
    private const int Burst = 10;

    /// <summary>One message a second, bursts of <see cref="Burst"/>.</summary>
    internal static readonly Dictionary<string, string?> SlowRate = new()
    {
        ["Chatter:Limits:MessagesPerSecond"] = "1",
        ["Chatter:Limits:MessageBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task AUserOnTwoNodesGetsTheBurstOnceInAll(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, SlowRate);
        await using var first = await cluster[0].LoginRawAsync("test1", cancellationToken: ct);
        await using var second = await cluster[1].LoginRawAsync("test1", cancellationToken: ct);

        var elapsed = Stopwatch.StartNew();
        var onFirst = await SendAndCountAcksAsync(first, Burst, "a", ct);
        var onSecond = await SendAndCountAcksAsync(second, Burst, "b", ct);
        var refill = (int)Math.Ceiling(elapsed.Elapsed.TotalSeconds) + 1;

        TestContext.Out.WriteLine($"acked: {onFirst} on node 0, {onSecond} on node 1 in {elapsed.Elapsed.TotalSeconds:F1} s");
        Assert.Multiple(() =>
        {
            Assert.That(onFirst, Is.EqualTo(Burst), "the first connection spends the user's burst");
            Assert.That(onSecond, Is.LessThanOrEqualTo(refill), "the second, on the other node, gets only what refilled meanwhile");
        });
    }

    [Test]
    public async Task ABatchOnOneNodeGetsWhatTheOtherLeftItsFirstFramesAcceptedTheRestRefusedInOrder(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2, SlowRate);
        await using var first = await cluster[0].LoginRawAsync("test2", cancellationToken: ct);
        await using var second = await cluster[1].LoginRawAsync("test2", cancellationToken: ct);
        Assert.That(await SendAndCountAcksAsync(first, Burst / 2, "a", ct), Is.EqualTo(Burst / 2), "half the burst spent on node 0");

        // Back to back: the frames reach the hub as batches, each taking its tokens in one step.
        var replies = await SendAndReadRepliesAsync(second, 3 * Burst, "r", ct);
        var acked = replies.TakeWhile(reply => reply.Acked).Count();
        Assert.Multiple(() =>
        {
            Assert.That(acked, Is.InRange(Burst / 2, Burst / 2 + 3), "what node 0 left (and what refilled) is accepted first");
            Assert.That(replies.Skip(acked).Count(reply => reply.Acked), Is.LessThanOrEqualTo(3), "the rest refused, but for the odd refill");
            Assert.That(replies.Select(reply => reply.Ref), Is.EqualTo(Enumerable.Range(0, 3 * Burst).Select(i => $"r{i}")), "every frame answered, in order");
        });
    }

    /// <summary>Sends <paramref name="count"/> frames back to back and counts the acks among their replies.</summary>
    internal static async Task<int> SendAndCountAcksAsync(RawChatClient client, int count, string prefix, CancellationToken ct)
        => (await SendAndReadRepliesAsync(client, count, prefix, ct)).Count(reply => reply.Acked);

    /// <summary>
    /// Sends <paramref name="count"/> frames with refs back to back and reads their replies in order (an ack, or a
    /// <c>rate limited</c> error), skipping the chat messages of others that arrive meanwhile.
    /// </summary>
    internal static async Task<List<(string Ref, bool Acked)>> SendAndReadRepliesAsync(RawChatClient client, int count, string prefix, CancellationToken ct)
    {
        var thread = $"t-{Guid.NewGuid():N}";
        for (var i = 0; i < count; i++)
        {
            await client.SendChatAsync(thread, $"m{i}", $"{prefix}{i}", ct);
        }

        var replies = new List<(string, bool)>();
        while (replies.Count < count)
        {
            var reply = (await client.ReceiveJsonAsync(ct)).Clone();
            if (reply.TryGetProperty("ack", out var ack))
            {
                replies.Add((ack.GetString()!, true));
            }
            else if (reply.TryGetProperty("error", out var error))
            {
                Assert.That(error.GetString(), Is.EqualTo("rate limited"));
                replies.Add((reply.GetProperty("ref").GetString()!, false));
            }
        }

        return replies;
    }
}
