using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

[CancelAfter(60_000)]
public class SmokeTests
{
    [Test]
    public async Task RawClientsExchangeAMessage(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await a.SendChatAsync("t", "hello", "r1", ct);
        var ack = await a.ReceiveJsonAsync(ct);
        Assert.That(ack.GetProperty("ack").GetString(), Is.EqualTo("r1"));
        var got = await b.ReceiveJsonAsync(ct);
        Assert.That(got.GetProperty("message").GetString(), Is.EqualTo("hello"));
        await using var h = await server.ConnectHubAsync("test3", cancellationToken: ct);
        var replay = await h.ReceiveAsync(cancellationToken: ct);
        Assert.That(replay.Message, Is.EqualTo("hello"));
        var sent = await h.SendAsync("t", "from hub", ct);
        Assert.That((await a.ReceiveJsonAsync(ct)).GetProperty("id").GetInt64(), Is.EqualTo(sent.Id));
    }
}
