using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary><c>chatter-raw</c> is the in-process protocol of <c>/ws/chat</c>; a SignalR client that asks for it on the hub is refused.</summary>
[CancelAfter(60_000)]
public class InternalProtocolTests
{
    [Test]
    public async Task ASignalRClientCannotChooseTheRawProtocol(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var token = await server.GetTokenAsync("test1", cancellationToken: ct);
        await using var socket = await HubJsonSocket.ConnectWithoutHandshakeAsync(server.HubUri, token, ct);
        await socket.SendAsync("{\"protocol\":\"chatter-raw\",\"version\":1}\u001e", ct);

        await socket.ReceiveUntilEndedAsync(ct);
        var refused = await server.Logs.WaitForEventAsync(111, e => LogCapture.Property(e, "Reason") == "protocol not supported", cancellationToken: ct);
        Assert.That(LogCapture.Property(refused, "User"), Is.EqualTo("test1"));
        Assert.That(server.Logs.WithEventId(200), Is.Empty, "never joined the chat");
    }
}
