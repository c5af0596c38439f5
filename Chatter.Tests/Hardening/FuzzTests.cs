using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Serilog.Events;

namespace Chatter.Tests.Hardening;

/// <summary>
/// More than 10,000 generated hostile frames (<see cref="FuzzFrameGenerator"/>) at <c>/ws/chat</c> and at the hub,
/// before and after login, each answered as the wire contract says, while a raw and a SignalR bystander keep chatting.
/// Afterwards the server still serves a fresh client, the history holds exactly the valid messages (each within
/// <see cref="ChatRules"/>), and managed memory after a full collection is within <see cref="MemoryGrowthBound"/> of
/// where it started. The seed is printed; <c>CHATTER_FUZZ_SEED=&lt;seed&gt;</c> replays a run.
/// </summary>
[CancelAfter(240_000)]
public partial class FuzzTests
{
    private const int RawInStreamCases = 8_000;
    private const int RawConnectionEndingCases = 200;
    private const int HubInvocationCases = 1_600;
    private const int HubConnectionEndingCases = 150;
    private const int HubTypedCases = 200;
    private const int Batch = 64;
    private const int Workers = 4;

    /// <summary>How much managed memory may grow over a run, after a full collection: the history is in SQLite, the connections are gone.</summary>
    private const long MemoryGrowthBound = 64L * 1024 * 1024;

    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task TenThousandHostileFramesAreAnsweredAndLeaveTheServerServingWithAValidHistory(CancellationToken ct)
    {
        var seed = FuzzFrameGenerator.SeedFromEnvironment();
        TestContext.Out.WriteLine($"fuzz seed {seed} (replay with CHATTER_FUZZ_SEED={seed})");
        var generator = new FuzzFrameGenerator(seed, maxFrameBytes: 64 * 1024, ChatRules.DefaultMaxMessageChars, ChatRules.MaxThreadChars);
        var rawInStream = Enumerable.Range(0, RawInStreamCases).Select(_ => generator.NextRawInStream()).ToList();
        var rawEnding = Enumerable.Range(0, RawConnectionEndingCases).Select(i => (Case: generator.NextRawConnectionEnding(beforeLogin: i % 2 == 0), BeforeLogin: i % 2 == 0)).ToList();
        var hubInvocations = Enumerable.Range(0, HubInvocationCases).Select(_ => generator.NextHubInvocation()).ToList();
        var hubEnding = Enumerable.Range(0, HubConnectionEndingCases).Select(_ => (Case: generator.NextHubConnectionEnding(out var before), BeforeHandshake: before)).ToList();
        var run = new FuzzRun(seed);

        // The abuse limits off: they would answer the flood of bad logins and frames themselves (they have their own tests).
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:MessagesPerSecond"] = "0",
            ["Chatter:Limits:FailedLoginsPerMinute"] = "0",
            ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "0",
            ["Chatter:Limits:FailedLoginsPerNamePerMinute"] = "0",
            ["Chatter:Limits:MaxConnectionsPerUser"] = "0",
        });
        var watch = Stopwatch.StartNew();
        var memoryBefore = ManagedMemoryAfterFullCollection();

        await using var bystanderRaw = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var bystanderHub = await server.ConnectHubAsync("bob", cancellationToken: ct);
        using var progress = new SemaphoreSlim(0);
        using var fuzzDone = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var bystander = BystandersChatAsync(bystanderRaw, bystanderHub, progress, fuzzDone.Token, ct);

        await RawInStreamAsync(server, rawInStream, run, progress, ct);
        TestContext.Out.WriteLine($"  raw frames on open connections done at {watch.Elapsed.TotalSeconds:F1} s");
        await RawConnectionEndingAsync(server, rawEnding, run, ct);
        TestContext.Out.WriteLine($"  raw connection-ending frames done at {watch.Elapsed.TotalSeconds:F1} s");
        await HubInvocationsAsync(server, hubInvocations, run, progress, ct);
        TestContext.Out.WriteLine($"  hub invocations done at {watch.Elapsed.TotalSeconds:F1} s");
        await HubConnectionEndingAsync(server, hubEnding, run, ct);
        TestContext.Out.WriteLine($"  hub connection-ending records done at {watch.Elapsed.TotalSeconds:F1} s");
        await HubTypedAsync(server, seed, run, ct);

        await fuzzDone.CancelAsync();
        var bystanderMessages = await bystander;
        TestContext.Out.WriteLine($"{run.Cases} cases in {watch.Elapsed.TotalSeconds:F1} s; {run.StoredCount} stored; bystanders exchanged {bystanderMessages} messages meanwhile");
        foreach (var (kind, count) in run.Kinds.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"  {count,5} {kind}");
        }

        var serious = server.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).ToList();
        foreach (var group in server.Logs.Events.Where(e => e.Level >= LogEventLevel.Warning && LogCapture.EventIdOf(e) is not (111 or 203)).GroupBy(e => $"{e.Level} {LogCapture.Property(e, "SourceContext")}: {e.MessageTemplate.Text} {e.Exception?.GetType().Name}"))
        {
            TestContext.Out.WriteLine($"  logged {group.Count()}× {group.Key}");
        }

        foreach (var failure in run.Failures)
        {
            TestContext.Out.WriteLine($"FAILED {failure}");
        }

        Assert.That(run.Failures, Is.Empty, $"seed {seed}: cases answered wrongly");
        Assert.That(run.Cases, Is.GreaterThanOrEqualTo(10_000));
        Assert.That(bystanderMessages, Is.GreaterThan(0), "the bystanders chatted during the fuzz");

        await AssertFreshClientsChatAsync(server, ct);
        await AssertHistoryHoldsExactlyTheValidMessagesAsync(server, run, seed, ct);

        var memoryAfter = ManagedMemoryAfterFullCollection();
        TestContext.Out.WriteLine($"managed memory after a full collection: {memoryBefore / 1024 / 1024} MiB before, {memoryAfter / 1024 / 1024} MiB after");
        Assert.That(memoryAfter - memoryBefore, Is.LessThan(MemoryGrowthBound), "managed memory growth over the run");

        Assert.That(serious.Where(e => e.Level == LogEventLevel.Fatal || LogCapture.Property(e, "SourceContext")?.StartsWith("Chatter.", StringComparison.Ordinal) == true), Is.Empty, "no Chatter component logged an error");
    }

    /// <summary>Logged-in raw clients, each pipelining its share in batches; every frame gets its answer, in order.</summary>
    private static async Task RawInStreamAsync(ChatterServer server, List<FuzzCase> cases, FuzzRun run, SemaphoreSlim progress, CancellationToken ct)
    {
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async worker =>
        {
            var mine = cases.Where((_, i) => i % Workers == worker).ToList();
            await using var client = await server.LoginRawAsync("test1", since: long.MaxValue, cancellationToken: ct);
            for (var start = 0; start < mine.Count; start += Batch)
            {
                var batch = mine.Skip(start).Take(Batch).ToList();
                foreach (var fuzz in batch)
                {
                    await client.SendAsync(fuzz.Payload, fuzz.Type, ct);
                }

                foreach (var fuzz in batch)
                {
                    run.Count(fuzz);
                    var answer = await NextAnswerAsync(client, ct);
                    if (answer.Frame is not { } frame)
                    {
                        run.Fail(fuzz, answer.Problem!);
                        return;
                    }

                    run.Check(fuzz, frame);
                }

                progress.Release();
            }
        }));
    }

    /// <summary>The next frame that answers this client's own frames: broadcasts of other clients' messages are skipped.</summary>
    private static async Task<(JsonElement? Frame, string? Problem)> NextAnswerAsync(RawChatClient client, CancellationToken ct)
    {
        while (true)
        {
            RawFrame frame;
            try
            {
                frame = await client.ReceiveAsync(cancellationToken: ct);
            }
            catch (TimeoutException)
            {
                return (null, "no answer");
            }

            if (frame.IsClose)
            {
                return (null, $"the connection was closed: {frame.CloseStatus} {frame.CloseDescription}");
            }

            var json = frame.Json;
            if (json.TryGetProperty("error", out _) || json.TryGetProperty("ack", out _))
            {
                return (json, null);
            }
        }
    }

    /// <summary>Cases that end a raw connection, each on its own: refused logins, frames over the limit, invalid UTF-8 text.</summary>
    private static Task RawConnectionEndingAsync(ChatterServer server, List<(FuzzCase Case, bool BeforeLogin)> cases, FuzzRun run, CancellationToken ct)
        => Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Workers * 2, CancellationToken = ct }, async (item, token) =>
        {
            var (fuzz, beforeLogin) = item;
            run.Count(fuzz, beforeLogin ? "before login: " : "after login: ");
            await using var client = beforeLogin ? await server.ConnectRawAsync(token) : await server.LoginRawAsync("test1", since: long.MaxValue, cancellationToken: token);
            try
            {
                await client.SendAsync(fuzz.Payload, fuzz.Type, token);
            }
            catch (WebSocketException)
            {
                // The server may close while a frame over the limit is still being sent: its close is read below.
            }

            var (status, before) = await client.ReceiveCloseAsync(token);
            if (status != fuzz.CloseStatus && !(status is null && fuzz.MayAbort))
            {
                run.Fail(fuzz, $"closed with {status?.ToString() ?? "an abort"}, expected {fuzz.CloseStatus}");
            }
            else if (beforeLogin && status == WebSocketCloseStatus.PolicyViolation && !before.SequenceEqual(["{\"error\": \"invalid credentials\"}"]))
            {
                run.Fail(fuzz, $"a refused login got [{string.Join(", ", before)}] before its close");
            }
        });
}
