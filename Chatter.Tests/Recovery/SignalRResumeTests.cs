using System.Threading.Channels;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RecoveryAnswer = Chatter.Protocol.Recovery;

namespace Chatter.Tests.Recovery;

/// <summary>
/// Issue 15, point 6: a SignalR client that connects with <c>?v=2</c> resumes by calling <c>Resume(since, epoch)</c>
/// after every connect (the URL stays the same, as with <c>WithAutomaticReconnect</c>): the replay, then live messages
/// and <c>Checkpoint</c> events, and the same recovery answer as raw clients; <c>SendMessageWithRef</c> is idempotent.
/// </summary>
[CancelAfter(60_000)]
public class SignalRResumeTests
{
    [Test]
    public async Task ResumeReplaysWhatWasMissedSinceTheLastCheckpointExactlyOnceAndAnswersRecovered(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, configureServices: s => s.AddSingleton<TimeProvider>(clock));
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        var before = await sender.SendAndAckAsync("t", "before", "r0", ct);

        var first = await V2Client.StartAsync(server, "test2", ct);
        var answer = (await first.ResumeAsync(null, null, ct))!;
        Assert.That((answer.Recovered, answer.UpTo), Is.EqualTo((true, before.Id)));
        Assert.That((await first.Messages.ReadAsync(ct)).Id, Is.EqualTo(before.Id), "the replay");

        var live = await sender.SendAndAckAsync("t", "live", "r1", ct);
        Assert.That((await first.Messages.ReadAsync(ct)).Id, Is.EqualTo(live.Id));
        clock.Advance(TimeSpan.FromSeconds(1));
        var upTo = await first.Checkpoints.ReadAsync(ct);
        Assert.That(upTo, Is.EqualTo(live.Id));
        await first.DisposeAsync();

        var missed = await sender.SendAndAckAsync("t", "missed", "r2", ct);
        await using var back = await V2Client.StartAsync(server, "test2", ct);
        var resumed = await back.ResumeAsync(upTo, answer.Epoch, ct);
        Assert.That(resumed, Is.EqualTo(new RecoveryAnswer(true, missed.Id, answer.Epoch)));
        Assert.That((await back.Messages.ReadAsync(ct)).Id, Is.EqualTo(missed.Id));
        Assert.That(back.Messages.TryRead(out var extra), Is.False, $"nothing else: {extra}");

        var other = await back.ResumeAsync(upTo, "another-epoch", ct, expectRefusal: true);
        Assert.That(other, Is.Null, "a second Resume on one connection is refused");
    }

    [Test]
    public async Task LiveMessagesBeforeResumeWaitAndArriveOnceAfterTheReplay(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var client = await V2Client.StartAsync(server, "test2", ct);
        var early = await sender.SendAndAckAsync("t", "early", "r1", ct);
        // The ack comes after the broadcast reached the client's connection on the server; an answer to a call of the
        // client's own is never held, so were the message not held it would have come before this answer.
        Assert.That(await client.Connection.InvokeAsync<bool>("Typing", "probe", ct), Is.True);
        Assert.That(client.Messages.TryRead(out _), Is.False, "held until Resume");

        var answer = (await client.ResumeAsync(null, null, ct))!;
        Assert.That((await client.Messages.ReadAsync(ct)).Id, Is.EqualTo(early.Id));
        var later = await sender.SendAndAckAsync("t", "later", "r2", ct);
        Assert.That((await client.Messages.ReadAsync(ct)).Id, Is.EqualTo(later.Id), "once, then live");
        Assert.That(answer.UpTo, Is.GreaterThanOrEqualTo(early.Id));
    }

    [Test]
    public async Task SendMessageWithRefSentAgainAnswersTheOriginalAndIsNotBroadcastAgain(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var reader = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var client = await V2Client.StartAsync(server, "test1", ct);
        await client.ResumeAsync(null, null, ct);

        var first = await client.Connection.InvokeAsync<ChatMessage>("SendMessageWithRef", "t", "hello", "k1", ct);
        var again = await client.Connection.InvokeAsync<ChatMessage>("SendMessageWithRef", "t", "hello", "k1", ct);
        Assert.That(again, Is.EqualTo(first));
        Assert.That((await reader.ReceiveMessageAsync(ct)).Id, Is.EqualTo(first.Id));
        await reader.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    /// <summary>A SignalR client on <c>/hubs/chat?v=2</c> with its messages and checkpoints in channels.</summary>
    private sealed class V2Client : IAsyncDisposable
    {
        private readonly Channel<ChatMessage> messages = Channel.CreateUnbounded<ChatMessage>();
        private readonly Channel<long> checkpoints = Channel.CreateUnbounded<long>();

        private V2Client(HubConnection connection)
        {
            Connection = connection;
            connection.On<ChatMessage>("ReceiveMessage", m => messages.Writer.TryWrite(m));
            connection.On<long>("Checkpoint", upTo => checkpoints.Writer.TryWrite(upTo));
        }

        public HubConnection Connection { get; }

        public ChannelReader<ChatMessage> Messages => messages.Reader;

        public ChannelReader<long> Checkpoints => checkpoints.Reader;

        public static async Task<V2Client> StartAsync(ChatterServer server, string user, CancellationToken ct)
        {
            var token = await server.GetTokenAsync(user, cancellationToken: ct);
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri($"{server.HubUri}?v=2"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            var client = new V2Client(connection);
            await connection.StartAsync(ct);
            return client;
        }

        public async Task<RecoveryAnswer?> ResumeAsync(long? since, string? epoch, CancellationToken ct, bool expectRefusal = false)
        {
            if (!expectRefusal)
            {
                return await Connection.InvokeAsync<RecoveryAnswer>("Resume", since, epoch, ct);
            }

            Assert.ThrowsAsync<HubException>(() => Connection.InvokeAsync<RecoveryAnswer>("Resume", since, epoch, ct));
            return null;
        }

        public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
    }
}
