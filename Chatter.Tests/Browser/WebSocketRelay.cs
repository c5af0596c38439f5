using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Chatter.Tests.Browser;

/// <summary>
/// Sits between a page and the real server on <c>/ws/chat</c> (Playwright's WebSocket routing) and forwards every
/// frame both ways, except that it can hold back frames from the server (an ack, so a test sees a message pending; a
/// message, so the page sees later ids first, as it may when senders interleave), lose frames of the page (as a drop
/// would), and refuse new connections (a page kept away while others talk).
/// </summary>
public sealed class WebSocketRelay
{
    private readonly ConcurrentQueue<string> held = new();
    private readonly SemaphoreSlim heldCount = new(0);
    private volatile Func<string, bool>? hold;
    private volatile Func<string, bool>? loseFromPage;
    private volatile bool refuse;
    private readonly SemaphoreSlim lostCount = new(0);
    private volatile IWebSocketRoute? pageSide;

    /// <summary>Routes <paramref name="page"/>'s <c>/ws/chat</c> connections (those opened from now on) through a relay.</summary>
    public static async Task<WebSocketRelay> AttachAsync(IPage page)
    {
        var relay = new WebSocketRelay();
        await page.RouteWebSocketAsync("**/ws/chat", relay.Connect);
        return relay;
    }

    /// <summary>Server frames for which this returns true are kept instead of forwarded; null forwards everything.</summary>
    public Func<string, bool>? Hold
    {
        get => hold;
        set => hold = value;
    }

    /// <summary>Frames of the page for which this returns true never reach the server; null forwards everything.</summary>
    public Func<string, bool>? LoseFromPage
    {
        get => loseFromPage;
        set => loseFromPage = value;
    }

    /// <summary>While true, a new connection of the page is closed at once (1011) and never reaches the server.</summary>
    public bool Refuse
    {
        get => refuse;
        set => refuse = value;
    }

    /// <summary>Text frames the page sent (forwarded or lost), in order.</summary>
    public ConcurrentQueue<string> FromPage { get; } = new();

    /// <summary>True for an ack frame.</summary>
    public static bool IsAck(string frame) => frame.StartsWith("{\"ack\"", StringComparison.Ordinal);

    /// <summary>Waits (bounded) until one more frame of the page was lost by <see cref="LoseFromPage"/>.</summary>
    public async Task NextLostAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => Assert.That(await lostCount.WaitAsync(timeout, cancellationToken), Is.True, "no frame of the page was lost in time");

    /// <summary>True for a checkpoint <c>{"upTo": N}</c>.</summary>
    public static bool IsCheckpoint(string frame) => frame.StartsWith("{\"upTo\"", StringComparison.Ordinal);

    /// <summary>The next frame held back that <paramref name="match"/> accepts; the ones before it stay held (never forwarded).</summary>
    public async Task<string> NextHeldAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var frame = await NextHeldAsync(timeout, deadline.Token);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>The next frame held back (waits for it, bounded).</summary>
    public async Task<string> NextHeldAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Assert.That(await heldCount.WaitAsync(timeout, cancellationToken), Is.True, "no frame was held back in time");
        Assert.That(held.TryDequeue(out var frame), Is.True);
        return frame!;
    }

    /// <summary>Hands a frame to the page as if the server had sent it: one held back, or one the test wrote.</summary>
    public void Release(string frame) => pageSide!.Send(frame);

    /// <summary>Drops the current connection at both ends (1001 going away), as a server shutting down would.</summary>
    public async Task DropAsync()
    {
        // Playwright closes the other end along with the first.
        await pageSide!.CloseAsync(new() { Code = 1001, Reason = "dropped by the test" });
    }

    private void Connect(IWebSocketRoute page)
    {
        if (refuse)
        {
            _ = page.CloseAsync(new() { Code = 1011, Reason = "refused by the test" });
            return;
        }

        var server = page.ConnectToServer();
        pageSide = page;
        page.OnMessage(frame =>
        {
            if (frame.Text is { } text)
            {
                FromPage.Enqueue(text);
                if (loseFromPage?.Invoke(text) == true)
                {
                    lostCount.Release();
                    return;
                }
            }

            Forward(frame, server);
        });
        server.OnMessage(frame =>
        {
            if (frame.Text is { } text && hold?.Invoke(text) == true)
            {
                held.Enqueue(text);
                heldCount.Release();
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
