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

/// <summary>What the fuzz run checks besides the answers: bystanders keep chatting, a fresh client chats, the history, memory.</summary>
public partial class FuzzTests
{
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
}
