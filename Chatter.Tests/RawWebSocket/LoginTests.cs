using System.Net.WebSockets;
using System.Text;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>The first frame: <c>{"auth": "ok"}</c> for good credentials, otherwise <c>{"error": "invalid credentials"}</c> and close 1008.</summary>
[CancelAfter(60_000)]
public class LoginTests
{
    private const string AuthOk = "{\"auth\": \"ok\"}";
    private const string InvalidCredentials = "{\"error\": \"invalid credentials\"}";

    [Test]
    public async Task ValidLoginIsAnsweredWithTheOriginalsExactAuthOkBytes(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        await client.SendTextAsync("{\"username\": \"test1\", \"password\": \"pass1\"}", ct);

        var reply = await client.ReceiveAsync(cancellationToken: ct);

        Assert.That(reply.Text, Is.EqualTo(AuthOk));
    }

    [Test]
    public async Task LoginWithSinceIsAnsweredWithTheSameAuthOkBytes(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        await client.SendTextAsync("{\"username\": \"test1\", \"password\": \"pass1\", \"since\": 0}", ct);

        Assert.That((await client.ReceiveAsync(cancellationToken: ct)).Text, Is.EqualTo(AuthOk));
    }

    [Test]
    public async Task LoggedInClientCanChat(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);

        var ack = await client.SendAndAckAsync("t", "hello", "r1", ct);

        Assert.That(ack.Id, Is.Positive);
    }

    [Test]
    public Task WrongPasswordIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"test1\", \"password\": \"wrong\"}", ct);

    [Test]
    public Task PasswordOfAnotherUserIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"test1\", \"password\": \"pass2\"}", ct);

    [Test]
    public Task UnknownUserIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"nobody\", \"password\": \"pass1\"}", ct);

    [Test]
    public Task UserNameInAnotherCaseIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"TEST1\", \"password\": \"pass1\"}", ct);

    [Test]
    public Task LoginWithoutPasswordIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"test1\"}", ct);

    [Test]
    public Task LoginWithoutUsernameIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"password\": \"pass1\"}", ct);

    [Test]
    public Task EmptyObjectIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{}", ct);

    [Test]
    public Task NonStringPasswordIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"test1\", \"password\": 1}", ct);

    [Test]
    public Task FirstFrameThatIsNotJsonIsRefused(CancellationToken ct)
        => AssertRefusedAsync("test1 pass1", ct);

    [Test]
    public Task FirstFrameThatIsTruncatedJsonIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"username\": \"test1\", \"password\": \"pass1\"", ct);

    [Test]
    public Task FirstFrameThatIsAJsonArrayIsRefused(CancellationToken ct)
        => AssertRefusedAsync("[\"test1\", \"pass1\"]", ct);

    [Test]
    public Task FirstFrameThatIsAJsonStringIsRefused(CancellationToken ct)
        => AssertRefusedAsync("\"test1\"", ct);

    [Test]
    public Task ChatFrameInsteadOfALoginIsRefused(CancellationToken ct)
        => AssertRefusedAsync("{\"thread\":\"test1\",\"message\":\"Hello World!\",\"from\":\"test1\"}", ct);

    [Test]
    public async Task BinaryFirstFrameIsRefusedEvenWithValidCredentials(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        await client.SendAsync(Encoding.UTF8.GetBytes("{\"username\": \"test1\", \"password\": \"pass1\"}"), WebSocketMessageType.Binary, ct);

        await AssertInvalidCredentialsThenCloseAsync(client, ct);
    }

    [Test]
    public async Task RefusedLoginDoesNotDisturbLoggedInClients(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using (var refused = await server.ConnectRawAsync(ct))
        {
            await refused.SendTextAsync("{\"username\": \"test1\", \"password\": \"wrong\"}", ct);
            await AssertInvalidCredentialsThenCloseAsync(refused, ct);
        }

        await a.SendAndAckAsync("t", "still here", "r1", ct);

        Assert.That((await b.ReceiveMessageAsync(ct)).Message, Is.EqualTo("still here"));
    }

    private static async Task AssertRefusedAsync(string loginFrame, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var client = await server.ConnectRawAsync(ct);
        await client.SendTextAsync(loginFrame, ct);

        await AssertInvalidCredentialsThenCloseAsync(client, ct);
    }

    /// <summary>The exact bytes of the original's refusal, then a clean close frame with 1008 and nothing in between.</summary>
    private static async Task AssertInvalidCredentialsThenCloseAsync(RawChatClient client, CancellationToken ct)
    {
        var reply = await client.ReceiveAsync(cancellationToken: ct);
        Assert.That(reply.Text, Is.EqualTo(InvalidCredentials));

        var close = await client.ReceiveAsync(cancellationToken: ct);
        Assert.Multiple(() =>
        {
            Assert.That(close.IsClose, Is.True, $"expected the close, got {close.Text}");
            Assert.That(close.CloseDescription, Is.Not.EqualTo("aborted"), "a close frame, not an aborted socket");
            Assert.That(close.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        });
    }
}
