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
public class FuzzTests
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

    /// <summary>SignalR JSON-protocol sockets pipelining invocations: each one with an id gets its completion.</summary>
    private static async Task HubInvocationsAsync(ChatterServer server, List<FuzzCase> cases, FuzzRun run, SemaphoreSlim progress, CancellationToken ct)
    {
        var token = await server.GetTokenAsync("test2", cancellationToken: ct);
        await Task.WhenAll(Enumerable.Range(0, Workers / 2).Select(async worker =>
        {
            var mine = cases.Where((_, i) => i % (Workers / 2) == worker).ToList();
            await using var socket = await HubJsonSocket.ConnectAsync(server.HubUri, token, ct);
            foreach (var batch in HubBatches(mine))
            {
                foreach (var fuzz in batch)
                {
                    await socket.SendAsync(fuzz.Payload, fuzz.Type, ct);
                }

                var awaited = batch.Where(c => c.Ref is not null).ToDictionary(c => c.Ref!);
                foreach (var fuzz in batch)
                {
                    run.Count(fuzz);
                }

                string? last = null;
                while (awaited.Count > 0)
                {
                    string? record;
                    try
                    {
                        record = await socket.ReceiveAsync(ct);
                    }
                    catch (TimeoutException)
                    {
                        run.Fail(batch[0], $"no completion for {awaited.Count} of the batch ({string.Join(" | ", awaited.Values.Take(3))})");
                        return;
                    }

                    if (record is null)
                    {
                        run.Fail(batch[0], $"the hub closed the connection ({socket.CloseStatus}, last record {last}) with {awaited.Count} of the batch's completions missing: {string.Join(" | ", awaited.Values.Take(3))}");
                        return;
                    }

                    last = record;

                    using var document = JsonDocument.Parse(record);
                    var root = document.RootElement;
                    if (root.GetProperty("type").GetInt32() == 3 && awaited.Remove(root.GetProperty("invocationId").GetString()!, out var fuzz))
                    {
                        run.CheckCompletion(fuzz, root);
                    }
                }

                progress.Release();
            }
        }));
    }

    /// <summary>
    /// Batches of <see cref="Batch"/> records, except that a large one (a huge argument) goes alone: SignalR reads its
    /// input through a window of <c>MaximumReceiveMessageSize</c> bytes, and a large record behind others in that window
    /// closes the connection as if it were over the limit itself.
    /// </summary>
    private static IEnumerable<List<FuzzCase>> HubBatches(List<FuzzCase> cases)
    {
        var batch = new List<FuzzCase>();
        foreach (var fuzz in cases)
        {
            if (fuzz.Payload.Length > 4096)
            {
                if (batch.Count > 0)
                {
                    yield return batch;
                }

                yield return [fuzz];
                batch = [];
                continue;
            }

            batch.Add(fuzz);
            if (batch.Count == Batch)
            {
                yield return batch;
                batch = [];
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Records the JSON protocol cannot take, each on its own socket: the server ends the connection, saying why where it can.</summary>
    private static async Task HubConnectionEndingAsync(ChatterServer server, List<(FuzzCase Case, bool BeforeHandshake)> cases, FuzzRun run, CancellationToken ct)
    {
        var token = await server.GetTokenAsync("test2", cancellationToken: ct);
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Workers * 2, CancellationToken = ct }, async (item, token2) =>
        {
            var (fuzz, beforeHandshake) = item;
            run.Count(fuzz);
            await using var socket = beforeHandshake
                ? await HubJsonSocket.ConnectWithoutHandshakeAsync(server.HubUri, token, token2)
                : await HubJsonSocket.ConnectAsync(server.HubUri, token, token2);
            try
            {
                await socket.SendAsync(fuzz.Payload, fuzz.Type, token2);
            }
            catch (WebSocketException)
            {
                // Closed while sending (a record over the limit): the end is checked below.
            }

            IReadOnlyList<string> records;
            try
            {
                records = await socket.ReceiveUntilEndedAsync(token2, EndTimeout);
            }
            catch (TimeoutException)
            {
                run.Fail(fuzz, "the connection was still open");
                return;
            }

            var said = beforeHandshake
                ? records.Any(r => r.Contains("\"error\"", StringComparison.Ordinal)) || fuzz.Kind.Contains("chatter-raw", StringComparison.Ordinal)
                : records.Any(r => r.Contains("\"type\":7", StringComparison.Ordinal)) || socket.CloseStatus is not null;
            if (!said)
            {
                run.Fail(fuzz, $"ended without saying why: [{string.Join(", ", records)}], close {socket.CloseStatus}");
            }
        });
    }

    /// <summary>A real SignalR client calling with typed but invalid values: each call fails with a <see cref="HubException"/>, the connection lives on.</summary>
    private static async Task HubTypedAsync(ChatterServer server, int seed, FuzzRun run, CancellationToken ct)
    {
        var random = new Random(seed);
        await using var client = await server.ConnectHubAsync("test3", cancellationToken: ct);
        var hub = client.Connection;
        Func<Task>[] calls =
        [
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "", "m", ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", null, "m", ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", new string('t', ChatRules.MaxThreadChars + 1 + random.Next(100)), "m", ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "t", "", ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "t", null, ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "t", new string('m', ChatRules.DefaultMaxMessageChars + 1 + random.Next(20_000)), ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", random.Next(), random.NextDouble(), ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", new[] { "t" }, new { message = "m" }, ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "t", ct),
            () => hub.InvokeAsync<ChatMessage>("SendMessage", "t", "m", "extra", ct),
            () => hub.InvokeAsync<ChatMessage[]>("GetHistory", null, null, 0, ct),
            () => hub.InvokeAsync<ChatMessage[]>("GetHistory", null, null, ChatHubMaxPage + 1 + random.Next(1000), ct),
            () => hub.InvokeAsync<ChatMessage[]>("GetHistory", null, null, -random.Next(1, 1000), ct),
            () => hub.InvokeAsync<ChatMessage[]>("GetHistory", "t", "not a number", 10, ct),
            () => hub.InvokeAsync<object>("RejectFrame", "any reason", ct),
            () => hub.InvokeAsync<object>("NoSuchMethod", ct),
            () => hub.InvokeAsync<object>("OnConnectedAsync", ct),
        ];
        for (var i = 0; i < HubTypedCases; i++)
        {
            var index = random.Next(calls.Length);
            var fuzz = new FuzzCase($"hub client: typed call {index}", [], WebSocketMessageType.Text, FuzzOutcome.Error);
            run.Count(fuzz);
            try
            {
                await calls[index]();
                run.Fail(fuzz, "succeeded");
            }
            catch (HubException)
            {
                // The answer: the server refused the call and said so.
            }
        }

        var stored = await client.SendAsync("typed", "still here", ct);
        run.Stored(("typed", "still here"), stored.Id);
    }

    /// <summary>The hub's largest <c>GetHistory</c> page.</summary>
    private const int ChatHubMaxPage = 500;

    /// <summary>
    /// A raw and a SignalR bystander exchange a message whenever the fuzz reports progress, until it is done: each
    /// message reaches the other side, in order, while the fuzz runs. Returns how many they exchanged.
    /// </summary>
    private static async Task<int> BystandersChatAsync(RawChatClient raw, HubChatClient hub, SemaphoreSlim progress, CancellationToken fuzzDone, CancellationToken ct)
    {
        var exchanged = 0;
        while (true)
        {
            try
            {
                await progress.WaitAsync(fuzzDone);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return exchanged;
            }

            var text = $"bystander {exchanged}";
            await raw.SendChatAsync("bystander", text, $"b{exchanged}", ct);
            var answer = await NextAnswerAsync(raw, ct);
            Assert.That(answer.Frame?.TryGetProperty("ack", out _), Is.True, $"the raw bystander's ack: {answer}");

            ChatMessage received;
            do
            {
                received = await hub.ReceiveAsync(cancellationToken: ct);
            }
            while (received.Thread != "bystander");

            Assert.That(received.Message, Is.EqualTo(text), "the SignalR bystander got the raw bystander's messages, in order");
            var reply = await hub.SendAsync("bystander", $"re: {text}", ct);
            RawChatMessage echoed;
            do
            {
                echoed = await raw.ReceiveMessageAsync(ct);
            }
            while (echoed.Thread != "bystander");

            Assert.That(echoed.Id, Is.EqualTo(reply.Id), "the raw bystander got the SignalR bystander's reply");
            exchanged += 2;
        }
    }

    private static async Task AssertFreshClientsChatAsync(ChatterServer server, CancellationToken ct)
    {
        await using var raw = await server.LoginRawAsync("carol", since: long.MaxValue, cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("test1", since: long.MaxValue, cancellationToken: ct);
        var fromRaw = await raw.SendAndAckAsync("after-fuzz", "raw still works", "after", ct);
        ChatMessage received;
        do
        {
            received = await hub.ReceiveAsync(cancellationToken: ct);
        }
        while (received.Id != fromRaw.Id);

        var fromHub = await hub.SendAsync("after-fuzz", "hub still works", ct);
        Assert.That((await raw.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromHub.Id), "a fresh raw client gets a fresh hub client's message");
    }

    private static async Task AssertHistoryHoldsExactlyTheValidMessagesAsync(ChatterServer server, FuzzRun run, int seed, CancellationToken ct)
    {
        await using var reader = await server.ConnectHubAsync("test2", since: long.MaxValue, cancellationToken: ct);
        var history = new List<ChatMessage>();
        long? before = null;
        while (true)
        {
            var page = await reader.GetHistoryAsync(null, before, ChatHubMaxPage, ct);
            if (page.Length == 0)
            {
                break;
            }

            history.AddRange(page);
            before = page[0].Id;
        }

        var fuzzed = history.Where(m => m.Thread is not "bystander" and not "after-fuzz").ToList();
        TestContext.Out.WriteLine($"history: {history.Count} messages, {fuzzed.Count} from the fuzz");
        Assert.Multiple(() =>
        {
            foreach (var message in history)
            {
                Assert.That(ChatRules.Validate(message.Thread, message.Message, ChatRules.DefaultMaxMessageChars), Is.Null, $"seed {seed}: stored message {message.Id} breaks the rules");
                Assert.That(message.From, Is.AnyOf("test1", "test2", "test3", "alice", "bob", "carol"), $"stored message {message.Id} is from a real user");
            }

            Assert.That(history.Select(m => m.Id), Is.Unique);
            Assert.That(
                fuzzed.Select(m => (m.Id, m.Thread, m.Message)).OrderBy(m => m.Id),
                Is.EqualTo(run.StoredMessages.OrderBy(m => m.Id)),
                $"seed {seed}: the history holds exactly the fuzz messages that were acknowledged, as sent");
        });
    }

    private static long ManagedMemoryAfterFullCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>What a run tried and what went wrong, shared by the concurrent workers.</summary>
    private sealed class FuzzRun(int seed)
    {
        private readonly ConcurrentQueue<string> failures = new();
        private readonly ConcurrentDictionary<string, int> kinds = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<(long Id, string Thread, string Message)> stored = new();
        private int cases;

        public int Cases => cases;

        public IReadOnlyCollection<string> Failures => failures;

        public IReadOnlyDictionary<string, int> Kinds => kinds;

        public IEnumerable<(long Id, string Thread, string Message)> StoredMessages => stored;

        public int StoredCount => stored.Count;

        public void Count(FuzzCase fuzz, string prefix = "")
        {
            Interlocked.Increment(ref cases);
            kinds.AddOrUpdate(prefix + fuzz.Kind, 1, (_, n) => n + 1);
        }

        public void Fail(FuzzCase fuzz, string what)
        {
            if (failures.Count < 20)
            {
                failures.Enqueue($"{fuzz}: {what} (seed {seed})");
            }
        }

        public void Stored((string Thread, string Message) message, long id) => stored.Enqueue((id, message.Thread, message.Message));

        /// <summary>A raw answer: an error (with the case's ref, or none) or an ack of the case's ref.</summary>
        public void Check(FuzzCase fuzz, JsonElement answer)
        {
            var hasRef = answer.TryGetProperty("ref", out var reference);
            switch (fuzz.Outcome)
            {
                case FuzzOutcome.Error when !answer.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String:
                    Fail(fuzz, $"expected an error, got {answer}");
                    break;
                case FuzzOutcome.Error when fuzz.Ref is null ? hasRef : !hasRef || reference.GetString() != fuzz.Ref:
                    Fail(fuzz, $"expected an error with ref {fuzz.Ref ?? "(none)"}, got {answer}");
                    break;
                case FuzzOutcome.Error when fuzz.Kind == "truncated JSON" && answer.GetProperty("error").GetString() != FrameError.InvalidJson:
                    Fail(fuzz, $"expected \"{FrameError.InvalidJson}\", got {answer}");
                    break;
                case FuzzOutcome.Stored when !answer.TryGetProperty("ack", out var ack) || ack.GetString() != fuzz.Ref:
                    Fail(fuzz, $"expected ack {fuzz.Ref}, got {answer}");
                    break;
                case FuzzOutcome.Stored:
                    Stored(fuzz.Stored!.Value, answer.GetProperty("id").GetInt64());
                    break;
            }
        }

        /// <summary>A hub completion: an error, or a result (for a stored message, the message as sent).</summary>
        public void CheckCompletion(FuzzCase fuzz, JsonElement completion)
        {
            var isError = completion.TryGetProperty("error", out _);
            var hasResult = completion.TryGetProperty("result", out var result);
            switch (fuzz.Outcome)
            {
                case FuzzOutcome.Error when !isError:
                case FuzzOutcome.Result when !hasResult || result.ValueKind != JsonValueKind.Array:
                    Fail(fuzz, $"expected {fuzz.Outcome}, got {completion}");
                    break;
                case FuzzOutcome.Stored when !hasResult || result.GetProperty("thread").GetString() != fuzz.Stored!.Value.Thread || result.GetProperty("message").GetString() != fuzz.Stored!.Value.Message:
                    Fail(fuzz, $"expected the stored message, got {completion}");
                    break;
                case FuzzOutcome.Stored:
                    Stored(fuzz.Stored!.Value, result.GetProperty("id").GetInt64());
                    break;
            }
        }
    }
}
