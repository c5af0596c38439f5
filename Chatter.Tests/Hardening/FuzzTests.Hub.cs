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

/// <summary>The fuzz run's hub workers: invocations, records that end the connection, typed calls.</summary>
public partial class FuzzTests
{
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
}
