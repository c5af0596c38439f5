using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Serilog.Events;

namespace Chatter.Tests.Operations;

/// <summary>Refused input is a Warning, never an Error: no client can fill the log with Errors and stack traces.</summary>
[CancelAfter(60_000)]
public class LogLevelTests
{
    [Test]
    public async Task RefusedFramesCallsAndConnectionsLogNoError(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:MaxConnectionsPerUser"] = "1" });
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
        await raw.SendTextAsync("{\"thread\": 5}", ct);
        await raw.ReceiveErrorAsync(ct);
        await using var hub = await server.ConnectHubAsync("test2", cancellationToken: ct);
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test2", cancellationToken: ct);
        Assert.That(async () => await hub.SendAsync("", "x", ct), Throws.InstanceOf<HubException>());

        // test2's second connection is refused at the per-user limit.
        var token = await server.GetTokenAsync("test2", cancellationToken: ct);
        await using var second = HubChatClient.Build(server.HubUri, token);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        second.Closed += error => Task.FromResult(closed.TrySetResult(error));
        try
        {
            await second.StartAsync(ct);
            await closed.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Closed while starting: refused all the same.
        }

        await server.Logs.WaitForEventAsync(111, e => LogCapture.Property(e, "Reason") == "too many connections", cancellationToken: ct);
        Assert.That(server.Logs.WithEventId(203).Count(), Is.EqualTo(2), "both refusals logged by Chatter, as Warnings");
        Assert.That(server.Logs.Events.Where(e => e.Level >= LogEventLevel.Error).Select(e => e.RenderMessage(null)), Is.Empty);
    }
}
