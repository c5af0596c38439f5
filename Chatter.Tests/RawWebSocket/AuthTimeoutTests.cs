using System.Net.WebSockets;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>No first frame within <c>Chatter:AuthTimeoutSeconds</c> → a clean close frame with 1008.</summary>
[CancelAfter(60_000)]
public class AuthTimeoutTests
{
    private static readonly Dictionary<string, string?> OneSecond = new() { ["Chatter:AuthTimeoutSeconds"] = "1" };

    [Test]
    public async Task SilentClientIsClosedWith1008AfterTheAuthTimeout(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(OneSecond);
        await using var client = await server.ConnectRawAsync(ct);

        var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(10), ct);

        AssertClosedWithPolicyViolation(frame);
    }

    [Test]
    public async Task ClientThatLoggedInInTimeOutlivesTheAuthTimeout(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(OneSecond);
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);

        // A client that connected after a and b is closed by its timeout; so a's and b's timeouts have passed too.
        await using (var silent = await server.ConnectRawAsync(ct))
        {
            AssertClosedWithPolicyViolation(await silent.ReceiveAsync(TimeSpan.FromSeconds(10), ct));
        }

        await a.SendAndAckAsync("t", "after the timeout", "r1", ct);
        Assert.That((await b.ReceiveMessageAsync(ct)).Message, Is.EqualTo("after the timeout"));
    }

    [Test]
    public async Task ServerStillAcceptsLoginsAfterClosingASilentClient(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(OneSecond);
        await using (var silent = await server.ConnectRawAsync(ct))
        {
            AssertClosedWithPolicyViolation(await silent.ReceiveAsync(TimeSpan.FromSeconds(10), ct));
        }

        await using var client = await server.LoginRawAsync("test1", cancellationToken: ct);
        Assert.That((await client.SendAndAckAsync("t", "m", "r1", ct)).Ref, Is.EqualTo("r1"));
    }

    private static void AssertClosedWithPolicyViolation(RawFrame frame)
        => Assert.Multiple(() =>
        {
            Assert.That(frame.IsClose, Is.True, $"expected the close, got {frame.Text}");
            Assert.That(frame.CloseDescription, Is.Not.EqualTo("aborted"), "a close frame, not an aborted socket");
            Assert.That(frame.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        });
}
