using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Chatter.Tests.Browser;

/// <summary>
/// Sits between a page and the real server on <c>/ws/chat</c> (Playwright's WebSocket routing) and forwards every
/// frame both ways, except that it can hold back the server's acks so a test sees a message in its pending state.
/// </summary>
public sealed class WebSocketRelay
{
    private readonly ConcurrentQueue<string> heldAcks = new();
    private readonly SemaphoreSlim ackHeld = new(0);
    private volatile bool holdAcks;
    private volatile IWebSocketRoute? pageSide;

    /// <summary>Routes <paramref name="page"/>'s <c>/ws/chat</c> connections (those opened from now on) through a relay.</summary>
    public static async Task<WebSocketRelay> AttachAsync(IPage page)
    {
        var relay = new WebSocketRelay();
        await page.RouteWebSocketAsync("**/ws/chat", relay.Connect);
        return relay;
    }

    /// <summary>While true, acks from the server are kept instead of forwarded.</summary>
    public bool HoldAcks
    {
        get => holdAcks;
        set => holdAcks = value;
    }

    /// <summary>The next ack held back (waits for it, bounded).</summary>
    public async Task<string> NextHeldAckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Assert.That(await ackHeld.WaitAsync(timeout, cancellationToken), Is.True, "no ack was held back in time");
        Assert.That(heldAcks.TryDequeue(out var ack), Is.True);
        return ack!;
    }

    /// <summary>Hands an ack that was held back to the page.</summary>
    public void Release(string ack) => pageSide!.Send(ack);

    /// <summary>Drops the current connection at both ends (1001 going away), as a server shutting down would.</summary>
    public async Task DropAsync()
    {
        // Playwright closes the other end along with the first.
        await pageSide!.CloseAsync(new() { Code = 1001, Reason = "dropped by the test" });
    }

    private void Connect(IWebSocketRoute page)
    {
        var server = page.ConnectToServer();
        pageSide = page;
        page.OnMessage(frame => Forward(frame, server));
        server.OnMessage(frame =>
        {
            if (holdAcks && frame.Text?.StartsWith("{\"ack\"", StringComparison.Ordinal) == true)
            {
                heldAcks.Enqueue(frame.Text);
                ackHeld.Release();
                return;
            }

            Forward(frame, page);
        });
    }

    private static void Forward(IWebSocketFrame frame, IWebSocketRoute to)
    {
        if (frame.Text is { } text)
        {
            to.Send(text);
        }
        else
        {
            to.Send(frame.Binary!);
        }
    }
}
