using System.Net;
using System.Text.Json;
using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.History;

/// <summary>
/// A SQLite writer that dies for a reason SQLite did not give (REVIEW M1): every waiting and later send is answered
/// "message not stored" at once instead of hanging, it is logged once, and the health checks turn red. The fault is made
/// through the writer's own per-batch seam, on a real server with a real SQLite file.
/// </summary>
[CancelAfter(60_000)]
public class WriterFaultTests
{
    [Test]
    public async Task AWriterThatDiesFailsEveryWaitingAndLaterSendAndTurnsHealthRed(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var sqlite = server.App.Services.GetRequiredService<SqliteChatHistory>();
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await sender.SendChatAsync("t", "stored", "ok", ct);
        Assert.That((await sender.ReceiveJsonAsync(ct)).GetProperty("ack").GetString(), Is.EqualTo("ok"));

        sqlite.Writer.BatchWriting = _ => throw new InvalidOperationException("writer fault (test)");

        // Each answer is awaited within RawChatClient.DefaultTimeout: a send waiting on a dead writer fails here.
        await sender.SendChatAsync("t", "in the dying batch", "a", ct);
        AssertNotStored(await sender.ReceiveJsonAsync(ct), "a");
        await sender.SendChatAsync("t", "after the fault", "b", ct);
        AssertNotStored(await sender.ReceiveJsonAsync(ct), "b");

        using (var health = await server.Http.GetAsync("/healthz", ct))
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        using (var ready = await server.Http.GetAsync("/readyz", ct))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(ct));
            Assert.That(body.RootElement.GetProperty("checks").GetProperty("history").GetProperty("status").GetString(), Is.EqualTo("Unhealthy"));
        }

        Assert.That(server.Logs.WithEventId(504).Count(), Is.EqualTo(1), "the writer's end is logged once");
        Assert.That((await sqlite.GetPageAsync("t", null, 10, ct)).Select(m => m.Message), Is.EqualTo(new[] { "stored" }), "the dying batch was rolled back");
    }

    private static void AssertNotStored(JsonElement answer, string reference)
    {
        Assert.That(answer.TryGetProperty("error", out var error), Is.True, answer.ToString());
        Assert.That((error.GetString(), answer.GetProperty("ref").GetString()), Is.EqualTo(("message not stored", reference)));
    }
}
