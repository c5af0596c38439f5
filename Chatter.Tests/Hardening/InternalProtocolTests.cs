using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// <c>chatter-raw</c> is the in-process protocol of <c>/ws/chat</c>; a SignalR client that asks for it on the hub is
/// refused at the handshake, before the lifetime manager or the hub ever see it.
/// </summary>
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

        var answers = await socket.ReceiveUntilEndedAsync(ct);

        Assert.That(answers, Has.Some.Contains("\"error\"").And.Some.Contains("chatter-raw"), "the handshake's answer is an error naming the protocol");
        Assert.That(server.Logs.WithEventId(200), Is.Empty, "never joined the chat");
        // A SignalR client that uses JSON on the same server still joins: the refusal is of the protocol, not of the user.
        await using var json = await HubChatClient.ConnectAsync(server.HubUri, token, cancellationToken: ct);
        Assert.That((await json.SendAsync("t", "hello", ct)).Message, Is.EqualTo("hello"));
    }
}
