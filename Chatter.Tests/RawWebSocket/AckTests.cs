using Chatter.Protocol.Frames;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>Opt-in ack: a string <c>"ref"</c> gets <c>{"ack":"&lt;ref&gt;","id":N,"ts":"..."}</c> once stored; errors echo it.</summary>
[CancelAfter(60_000)]
public class AckTests
{
    [Test]
    public async Task RefIsAcknowledgedWithTheStoredIdAndTimestamp(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendChatAsync("t", "hello", "r1", ct);

        // RawAck.Parse: exactly ack, id and ts, ts in the contract's format.
        var ack = await sender.ReceiveAckAsync(ct);
        var stored = await receiver.ReceiveMessageAsync(ct);
        Assert.That(ack, Is.EqualTo(new RawAck("r1", stored.Id, stored.Ts)));
    }

    [Test]
    public async Task AckIdsIncreaseWithEveryStoredMessageAcrossThreads(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        var ids = new List<long>();

        for (var i = 0; i < 4; i++)
        {
            ids.Add((await a.SendAndAckAsync($"thread{i % 2}", $"a{i}", $"a{i}", ct)).Id);
            await b.ReceiveMessageAsync(ct);
            ids.Add((await b.SendAndAckAsync($"thread{i % 3}", $"b{i}", $"b{i}", ct)).Id);
            await a.ReceiveMessageAsync(ct);
        }

        Assert.That(ids, Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public async Task RefIsEchoedExactly(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        const string reference = "r \"1\" \\ \u00e9 \U0001F600 \u001e";

        var ack = await sender.SendAndAckAsync("t", "m", reference, ct);

        Assert.That(ack.Ref, Is.EqualTo(reference));
    }

    [Test]
    public async Task EmptyStringRefIsStillAcknowledged(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        Assert.That((await sender.SendAndAckAsync("t", "m", "", ct)).Ref, Is.Empty);
    }

    [Test]
    public async Task MessageWithoutRefGetsNoAck(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendChatAsync("t", "no ref", cancellationToken: ct);
        var second = await sender.SendAndAckAsync("t", "with ref", "r2", ct);

        Assert.That((await receiver.ReceiveMessageAsync(ct)).Message, Is.EqualTo("no ref"), "the message without ref was stored and sent");
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(second.Id));
        Assert.That(sender.HasNoPendingFrame, Is.True);
    }

    [TestCase("1", TestName = "NumericRefGetsNoAck")]
    [TestCase("true", TestName = "BooleanRefGetsNoAck")]
    [TestCase("null", TestName = "NullRefGetsNoAck")]
    [TestCase("{\"id\":\"r1\"}", TestName = "ObjectRefGetsNoAck")]
    [TestCase("[\"r1\"]", TestName = "ArrayRefGetsNoAck")]
    public async Task NonStringRefGetsNoAckButTheMessageIsStored(string reference, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        await sender.SendTextAsync($"{{\"thread\":\"t\",\"message\":\"odd ref\",\"ref\":{reference}}}", ct);
        // The next frame the sender gets is the ack of a later message: the first one had none.
        var later = await sender.SendAndAckAsync("t", "string ref", "r2", ct);

        Assert.That((await receiver.ReceiveMessageAsync(ct)).Message, Is.EqualTo("odd ref"));
        Assert.That((await receiver.ReceiveMessageAsync(ct)).Id, Is.EqualTo(later.Id));
    }

    [Test]
    public async Task ErrorEchoesTheStringRef(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        await sender.SendTextAsync("{\"message\":\"no thread\",\"ref\":\"e1\"}", ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.ThreadRequired, "e1")));
    }

    [Test]
    public async Task ErrorOfALengthRuleEchoesTheStringRef(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        await sender.SendTextAsync("{\"thread\":\"\",\"message\":\"m\",\"ref\":\"e2\"}", ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError("thread must not be empty", "e2")));
    }

    [Test]
    public async Task ErrorOfAFrameWithANonStringRefHasNoRef(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        await sender.SendTextAsync("{\"message\":\"no thread\",\"ref\":7}", ct);

        Assert.That(await sender.ReceiveErrorAsync(ct), Is.EqualTo(new RawError(FrameError.ThreadRequired, null)));
    }

    [Test]
    public async Task AcksOfPipelinedFramesComeInTheOrderSent(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        const int count = 50;

        for (var i = 0; i < count; i++)
        {
            await sender.SendChatAsync("t", $"m{i}", $"r{i}", ct);
        }

        var acks = new List<RawAck>();
        for (var i = 0; i < count; i++)
        {
            acks.Add(await sender.ReceiveAckAsync(ct));
        }

        Assert.That(acks.Select(a => a.Ref), Is.EqualTo(Enumerable.Range(0, count).Select(i => $"r{i}")));
        Assert.That(acks.Select(a => a.Id), Is.Ordered.Ascending.And.Unique);
    }
}
