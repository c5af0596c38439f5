using Chatter.Protocol;
using Chatter.Server.Hubs;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;

namespace Chatter.Tests.Interop;

/// <summary>A raw client joins <c>ChatHub</c> as an ordinary hub connection: the hub's events and broadcasts cover it.</summary>
[CancelAfter(60_000)]
public class RawConnectionIsAHubConnectionTests
{
    [Test]
    public async Task RawLoginAndCloseProduceTheHubsConnectAndDisconnectEvents(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);

        var connected = await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test1", cancellationToken: ct);
        var connectionId = LogCapture.Property(connected, "ConnectionId");
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(connected, "Transport"), Is.EqualTo("raw"));
            Assert.That(connectionId, Is.Not.Null.And.Not.Empty);
            Assert.That(server.Logs.WithEventId(201), Is.Empty, "not disconnected yet");
        });

        await raw.CloseAsync();

        var disconnected = await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "ConnectionId") == connectionId, cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(disconnected, "User"), Is.EqualTo("test1"));
            Assert.That(LogCapture.Property(disconnected, "Transport"), Is.EqualTo("raw"));
        });
    }

    [Test]
    public async Task SignalRConnectAndDisconnectAreTheSameEventsWithTransportSignalR(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var hub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        var connected = await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "alice", cancellationToken: ct);
        await hub.Connection.StopAsync(ct);
        var disconnected = await server.Logs.WaitForEventAsync(
            201, e => LogCapture.Property(e, "ConnectionId") == LogCapture.Property(connected, "ConnectionId"), cancellationToken: ct);

        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(connected, "Transport"), Is.EqualTo("signalr"));
            Assert.That(LogCapture.Property(disconnected, "Transport"), Is.EqualTo("signalr"));
            Assert.That(LogCapture.Property(disconnected, "User"), Is.EqualTo("alice"));
        });
    }

    [Test]
    public async Task RawMessageIsStoredByTheHubAndLoggedWithTransportRaw(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);

        await raw.SendChatAsync("t", "hello", "r1", ct);
        var ack = await raw.ReceiveJsonAsync(ct);

        var stored = await server.Logs.WaitForEventAsync(202, cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(stored, "MessageId"), Is.EqualTo(ack.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(LogCapture.Property(stored, "User"), Is.EqualTo("test1"));
            Assert.That(LogCapture.Property(stored, "Transport"), Is.EqualTo("raw"));
        });
    }

    [Test]
    public async Task BroadcastThroughTheHubContextReachesRawAndSignalRClients(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var hub = await server.ConnectHubAsync("alice", cancellationToken: ct);

        // A broadcast is not stored, so nothing replays it: both must be in the hub's connections first.
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test1", cancellationToken: ct);
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "alice", cancellationToken: ct);
        var message = new ChatMessage("announcements", "from the server", "system", 4242, UtcTimestampConverter.Truncate(DateTimeOffset.UtcNow));
        var context = server.App.Services.GetRequiredService<IHubContext<ChatHub, IChatClient>>();

        await context.Clients.All.ReceiveMessage(message);

        Assert.That(await raw.ReceiveTextAsync(ct), Is.EqualTo(MixedClientsTests.RawFrameOf(message)));
        Assert.That(await hub.ReceiveAsync(cancellationToken: ct), Is.EqualTo(message));
    }

    [Test]
    public async Task RefusedRawFrameIsTheHubsInvalidFrameEvent(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var raw = await server.LoginRawAsync("test1", cancellationToken: ct);

        await raw.SendJsonAsync(new { thread = "", message = "hi" }, ct);
        var error = await raw.ReceiveJsonAsync(ct);

        var refused = await server.Logs.WaitForEventAsync(203, cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(refused.Level, Is.EqualTo(LogEventLevel.Warning));
            Assert.That(LogCapture.Property(refused, "Transport"), Is.EqualTo("raw"));
            Assert.That(LogCapture.Property(refused, "User"), Is.EqualTo("test1"));
            Assert.That(LogCapture.Property(refused, "Reason"), Is.EqualTo(error.GetProperty("error").GetString()));
        });
    }
}
