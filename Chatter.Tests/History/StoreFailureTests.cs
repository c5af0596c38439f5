using System.Net;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.History;

/// <summary>A store that fails on demand: what senders, receivers, /readyz and /healthz see while it is down.</summary>
[CancelAfter(60_000)]
public class StoreFailureTests
{
    [Test]
    public async Task ReadyzAnswers503WhileTheStoreIsDownHealthzStays200AndLoginsStillWork(CancellationToken ct)
    {
        var (server, history) = await ChatterServerHistory.StartWithHistoryAsync(inner => new SwitchableHistory(inner));
        await using var serverLifetime = server;

        Assert.That((await server.Http.GetAsync("/readyz", ct)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await using var receiver = await server.LoginRawAsync("test2", cancellationToken: ct);

        history.Down = true;
        Assert.That((await server.Http.GetAsync("/readyz", ct)).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That((await server.Http.GetAsync("/healthz", ct)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness asks no dependency");

        // Login still works (without a replay); sends are refused and reach nobody.
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await sender.SendChatAsync("t", "not now", "n", ct);
        var error = await sender.ReceiveJsonAsync(ct);
        Assert.That(error.GetProperty("error").GetString(), Is.EqualTo("message not stored"));

        history.Down = false;
        Assert.That((await server.Http.GetAsync("/readyz", ct)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await sender.SendChatAsync("t", "now", "y", ct);
        Assert.That((await sender.ReceiveJsonAsync(ct)).GetProperty("ack").GetString(), Is.EqualTo("y"));
        Assert.That((await receiver.ReceiveJsonAsync(ct)).GetProperty("message").GetString(), Is.EqualTo("now"), "the refused message was not broadcast");
    }
}
