using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// Nothing unauthenticated outlives its bound (REVIEW H2): a socket that never logs in, or whose login was refused, is
/// gone within <c>Chatter:AuthTimeoutSeconds</c> plus the close timeout whatever it sends; and the sockets not logged in
/// are capped per address and in all, refused before the upgrade.
/// </summary>
[CancelAfter(60_000)]
public class UnauthenticatedSocketTests
{
    private const int AuthTimeoutSeconds = 1;

    /// <summary>The bound, and slack for a loaded machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(AuthTimeoutSeconds) + TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(3);

    [Test]
    public async Task ARefusedLoginThatNeverAnswersTheCloseButTricklesFramesIsCutOffInTime(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:AuthTimeoutSeconds"] = $"{AuthTimeoutSeconds}" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUri, ct);
        var started = Stopwatch.StartNew();
        await socket.SendAsync("{\"username\": \"test1\", \"password\": \"wrong\"}"u8.ToArray(), WebSocketMessageType.Text, true, ct);
        Assert.That(await ReceiveTextAsync(socket, ct), Is.EqualTo("{\"error\": \"invalid credentials\"}"));
        var close = await socket.ReceiveAsync(new byte[64], ct);
        Assert.That(close.MessageType, Is.EqualTo(WebSocketMessageType.Close));

        Assert.That(await TrickleUntilCutOffAsync(socket, ct), Is.True, "the socket was cut off");
        Assert.That(started.Elapsed, Is.LessThan(Bound));
    }

    [Test]
    public async Task ASocketThatNeverLogsInAndNeverAnswersTheCloseIsCutOffInTime(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:AuthTimeoutSeconds"] = $"{AuthTimeoutSeconds}" });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUri, ct);
        var started = Stopwatch.StartNew();
        var close = await socket.ReceiveAsync(new byte[64], ct);
        Assert.That((close.MessageType, socket.CloseStatus), Is.EqualTo((WebSocketMessageType.Close, (WebSocketCloseStatus?)WebSocketCloseStatus.PolicyViolation)));

        Assert.That(await TrickleUntilCutOffAsync(socket, ct), Is.True, "the socket was cut off");
        Assert.That(started.Elapsed, Is.LessThan(Bound));
    }

    [Test]
    public async Task SocketsNotLoggedInAreCappedPerAddressAndInAllBeforeTheUpgrade(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:MaxUnauthenticatedPerAddress"] = "2",
            ["Chatter:Limits:MaxUnauthenticated"] = "3",
        });
        await using var first = await server.ConnectRawFromAsync(5, ct);
        await using var second = await server.ConnectRawFromAsync(5, ct);
        var perAddress = Assert.ThrowsAsync<WebSocketException>(async () => await server.ConnectRawFromAsync(5, ct));
        Assert.That(perAddress!.Message, Does.Contain("429"), "a third from the same address");

        await using var third = await server.ConnectRawFromAsync(6, ct);
        var total = Assert.ThrowsAsync<WebSocketException>(async () => await server.ConnectRawFromAsync(7, ct));
        Assert.That(total!.Message, Does.Contain("503"), "a fourth in all");

        // A socket that logs in gives its place back.
        await first.LoginAsync("test1", "pass1", cancellationToken: ct);
        Assert.That(await first.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
        await using var fourth = await server.ConnectRawFromAsync(7, ct);
        await fourth.LoginAsync("test2", "pass2", cancellationToken: ct);
        Assert.That(await fourth.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));

        Assert.That(server.Logs.WithEventId(605).Count(), Is.EqualTo(2), "each refusal logged");
    }

    /// <summary>Sends a small frame every 300 ms, never answering the server's close, until a send fails (true) or <see cref="Bound"/> passes (false).</summary>
    private static async Task<bool> TrickleUntilCutOffAsync(ClientWebSocket socket, CancellationToken ct)
    {
        // The pacing is the attack itself (a frame every few hundred ms), not a wait for the server.
        using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
        var until = Stopwatch.StartNew();
        while (until.Elapsed < Bound + TimeSpan.FromSeconds(5))
        {
            try
            {
                await socket.SendAsync("{}"u8.ToArray(), WebSocketMessageType.Text, true, ct);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                return true;
            }

            if (socket.State == WebSocketState.Aborted)
            {
                return true;
            }

            await every.WaitForNextTickAsync(ct);
        }

        return false;
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
