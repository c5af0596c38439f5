using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.AspNetCore.SignalR.Client;
using System.Threading.Channels;

namespace Chatter.Tests.Conversations;

/// <summary>
/// Issue 16, point 1: a chat frame whose thread is <c>@bob</c> is a private message between its sender and bob, stored
/// once; only the two of them receive it, live and by every read path, each under the other's name.
/// </summary>
[CancelAfter(60_000)]
public class DirectMessageTests
{
    [TestCase("sqlite")]
    [TestCase("memory")]
    public async Task OnlyTheTwoUsersReadADirectMessageByAnyPath(string store, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>(ChatterServer.NoRateLimit) { ["Chatter:History:Store"] = store });
        await DirectMessageScenario.RunAsync(_ => server, ct);
    }

    [Test]
    public async Task ADirectMessageToAUserWhoDoesNotExistIsRefusedAndNotStored(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);

        await alice.SendChatAsync("@nobody", "hello?", "n1", ct);
        var error = await alice.ReceiveErrorAsync(ct);
        Assert.That((error.Reason, error.Ref), Is.EqualTo(("unknown user", "n1")));

        var fence = await alice.SendAndAckAsync("general", "fence", "f", ct);
        Assert.That((await bob.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), "nothing was broadcast before the fence");
        var (again, replay) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = again;
        Assert.That(replay.Replay.Select(m => m.Message), Is.EqualTo(new[] { "fence" }), "nothing was stored");
    }

    [Test]
    public async Task AMessageToOneselfReachesOnlyOnesOtherConnections(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var phone = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var laptop = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);

        var note = await phone.SendAndAckAsync("@alice", "note to self", "n", ct);
        var got = await laptop.ReceiveMessageAsync(ct);
        Assert.That((got.Thread, got.Id), Is.EqualTo(("@alice", note.Id)));

        var fence = await bob.SendAndAckAsync("general", "fence", "f", ct);
        Assert.That((await phone.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), "the sender did not get its own note back");
        Assert.That((await laptop.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id));
        Assert.That(await DirectMessageScenario.PageAsync(laptop, "@alice", ct), Has.Count.EqualTo(1));
        Assert.That(await DirectMessageScenario.PageAsync(bob, null, ct), Has.None.Matches<RawChatMessage>(m => m.Message == "note to self"));
    }

    [Test]
    public async Task ASignalRClientSendsAndReceivesDirectMessagesUnderTheOthersName(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var bob = await server.ConnectHubAsync("bob", cancellationToken: ct);
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);

        var sent = await bob.SendAsync("@alice", "hi alice", ct);
        Assert.That((sent.Thread, sent.From), Is.EqualTo(("@alice", "bob")), "the ack names the thread as its sender does");
        var got = await alice.ReceiveMessageAsync(ct);
        Assert.That((got.Thread, got.Id), Is.EqualTo(("@bob", sent.Id)));

        await alice.SendChatAsync("@bob", "hi bob", cancellationToken: ct);
        var reply = await bob.ReceiveAsync(cancellationToken: ct);
        Assert.That((reply.Thread, reply.From, reply.Message), Is.EqualTo(("@alice", "alice", "hi bob")));
        var page = await bob.GetHistoryAsync("@alice", null, 10, ct);
        Assert.That(page.Select(m => (m.Thread, m.Message)), Is.EqualTo(new[] { ("@alice", "hi alice"), ("@alice", "hi bob") }));
        Assert.That(async () => await bob.GetHistoryAsync("@nobody", null, 10, ct), Throws.InstanceOf<Microsoft.AspNetCore.SignalR.HubException>().With.Message.Contains("unknown user"));
    }

    [Test]
    public async Task TypingInADirectThreadReachesOnlyTheOtherUserUnderTheSendersName(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var (alice, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = alice;
        var (bob, _) = await server.LoginV2Async("bob", cancellationToken: ct);
        await using var __ = bob;
        var (carol, _) = await server.LoginV2Async("carol", cancellationToken: ct);
        await using var ___ = carol;

        await alice.SendJsonAsync(new { typing = "@bob" }, ct);
        Assert.That(await bob.ReceiveTextAsync(ct), Is.EqualTo("""{"typing":"@alice","user":"alice"}"""));
        await alice.SendJsonAsync(new { typing = "@nobody", @ref = "t" }, ct);
        Assert.That((await alice.ReceiveErrorAsync(ct)).Reason, Is.EqualTo("unknown user"));

        var fence = await alice.SendAndAckAsync("general", "fence", "f", ct);
        Assert.That((await DirectMessageScenario.NextMessageAsync(carol, ct)).Id, Is.EqualTo(fence.Id), "carol got no typing notice first");
    }

    [Test]
    public async Task AnEditAndADeleteInADirectThreadReachOnlyItsTwoUsersUnderTheirOwnNames(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: EditFrames.WithoutCheckpoints);
        var (alice, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var _ = alice;
        var (alicesPhone, _) = await server.LoginV2Async("alice", cancellationToken: ct);
        await using var __ = alicesPhone;
        var (bob, _) = await server.LoginV2Async("bob", cancellationToken: ct);
        await using var ___ = bob;
        var (carol, _) = await server.LoginV2Async("carol", cancellationToken: ct);
        await using var ____ = carol;
        var sent = await alice.SendAndAckAsync("@bob", "helo", "m", ct);
        await bob.ReceiveMessageAsync(ct);
        await alicesPhone.ReceiveMessageAsync(ct);

        await alice.SendEditAsync(sent.Id, "hello", "e", ct);
        Assert.That((await alice.ReceiveEditedAsync(ct)).Message.Thread, Is.EqualTo("@bob"), "the answer names it as its author does");
        Assert.That((await alicesPhone.ReceiveEditedAsync(ct)).Message.Thread, Is.EqualTo("@bob"));
        var edited = (await bob.ReceiveEditedAsync(ct)).Message;
        Assert.That((edited.Thread, edited.Message), Is.EqualTo(("@alice", "hello")));

        await alice.SendDeleteAsync(sent.Id, "d", ct);
        Assert.That(await alice.ReceiveDeletedAsync(ct), Is.EqualTo(("d", sent.Id, "@bob")));
        Assert.That(await alicesPhone.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, sent.Id, "@bob")));
        Assert.That(await bob.ReceiveDeletedAsync(ct), Is.EqualTo(((string?)null, sent.Id, "@alice")));

        var fence = await bob.SendAndAckAsync("general", "fence", "f", ct);
        Assert.That((await carol.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id), "carol heard of neither");
    }

    [Test]
    public async Task LogsAndMetricsNameNeitherTheTextNorThePairOfADirectMessage(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>(ChatterServer.NoRateLimit) { ["Chatter:Metrics:Enabled"] = "true" });
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        var sent = await alice.SendAndAckAsync("@bob", "a private word", "p", ct);

        var stored = await server.Logs.WaitForEventAsync(202, e => LogCapture.Property(e, "MessageId") == sent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: ct);
        Assert.That(LogCapture.Property(stored, "Thread"), Is.EqualTo("@"));
        Assert.That(server.Logs.Events.Select(e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)), Has.None.Contains("private word").And.None.Contains("|bob"));
        var metrics = await server.Http.GetStringAsync("/metrics", ct);
        Assert.That(metrics, Does.Contain("chatter_").And.Not.Contain("@bob").And.Not.Contain("|bob"));
    }
}

/// <summary>Direct messages between nodes sharing Redis (history and backplane).</summary>
[CancelAfter(90_000)]
public class DirectMessagesAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task OnlyTheTwoUsersReadADirectMessageByAnyPathOnTwoNodes(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        await DirectMessageScenario.RunAsync(i => cluster[i % 2], ct);
    }

    [Test]
    public async Task ADirectMessageFromASignalRClientOnOneNodeReachesARawClientOnTheOther(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        var received = Channel.CreateUnbounded<ChatMessage>();
        var token = await cluster[0].GetTokenAsync("alice", cancellationToken: ct);
        await using var alice = new HubConnectionBuilder()
            .WithUrl(cluster[0].HubUri, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        alice.On<ChatMessage>("ReceiveMessage", m => received.Writer.TryWrite(m));
        await alice.StartAsync(ct);
        var (bob, _) = await cluster[1].LoginV2Async("bob", cancellationToken: ct);
        await using var _ = bob;

        var sent = await alice.InvokeAsync<ChatMessage>("SendMessage", "@bob", "over there", ct);
        var got = await DirectMessageScenario.NextMessageAsync(bob, ct);
        Assert.That((got.Thread, got.Id), Is.EqualTo(("@alice", sent.Id)));
        await bob.SendChatAsync("@alice", "back", cancellationToken: ct);
        Assert.That((await received.Reader.ReadAsync(ct)).Thread, Is.EqualTo("@bob"));
    }
}
