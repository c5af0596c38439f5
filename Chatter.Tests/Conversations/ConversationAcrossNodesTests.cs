using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;
using Microsoft.AspNetCore.SignalR.Client;
using System.Threading.Channels;

namespace Chatter.Tests.Conversations;

/// <summary>Read markers and typing between nodes on Redis, and for SignalR clients (<c>MarkRead</c>, <c>Typing</c>).</summary>
[CancelAfter(60_000)]
public class ConversationAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task AMarkerSetOnOneNodeReachesTheUsersConnectionOnAnotherAndIsThereAtItsNextLogin(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        var (phone, _) = await cluster[0].LoginV2Async("test2", cancellationToken: ct);
        var (laptop, _) = await cluster[1].LoginV2Async("test2", cancellationToken: ct);
        await using var _ = phone;
        await using var __ = laptop;

        await phone.SendJsonAsync(new { read = new { thread = "general", id = 12 } }, ct);
        Assert.That(await laptop.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"general","id":12}}"""));

        var (tablet, answer) = await cluster[1].LoginV2Async("test2", cancellationToken: ct);
        await using var ___ = tablet;
        Assert.That(answer.Reads, Is.EquivalentTo(new Dictionary<string, long> { ["general"] = 12 }));
    }

    [Test]
    public async Task SignalRClientsMarkReadAndTypeAndHearRawClientsDoTheSame(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);
        var token = await cluster[1].GetTokenAsync("test2", cancellationToken: ct);
        var markers = Channel.CreateUnbounded<ReadMarker>();
        var typing = Channel.CreateUnbounded<TypingNotice>();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri($"{cluster[1].HubUri}?v=2"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        hub.On<ReadMarker>("ReadMarker", m => markers.Writer.TryWrite(m));
        hub.On<TypingNotice>("UserTyping", n => typing.Writer.TryWrite(n));
        await hub.StartAsync(ct);
        await hub.InvokeAsync<Chatter.Protocol.Recovery>("Resume", null, null, ct);

        var (raw, _) = await cluster[0].LoginV2Async("test2", cancellationToken: ct);
        await using var _ = raw;
        await raw.SendJsonAsync(new { read = new { thread = "general", id = 4 } }, ct);
        Assert.That(await markers.Reader.ReadAsync(ct), Is.EqualTo(new ReadMarker("general", 4)));
        await raw.SendJsonAsync(new { typing = "general" }, ct);
        Assert.That(await typing.Reader.ReadAsync(ct), Is.EqualTo(new TypingNotice("general", "test2")));

        Assert.That(await hub.InvokeAsync<ReadMarker>("MarkRead", "general", 9L, ct), Is.EqualTo(new ReadMarker("general", 9)));
        Assert.That(await raw.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"general","id":9}}"""));
        Assert.That(await hub.InvokeAsync<bool>("Typing", "random", ct), Is.True);
        Assert.That(await raw.ReceiveTextAsync(ct), Is.EqualTo("""{"typing":"random","user":"test2"}"""));
    }
}
