using System.Net.WebSockets;
using System.Threading.Channels;

namespace Chatter.Bench.Baseline;

/// <summary>
/// One logged-in connection of the baseline server: a bounded channel of serialized frames and the one loop that
/// writes them to the socket. A frame that does not fit closes the connection (a slow consumer), as Chatter does.
/// </summary>
internal sealed class BaselineConnection(WebSocket socket, string user, int capacity)
{
    private readonly Channel<ReadOnlyMemory<byte>> outbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    public string User { get; } = user;

    /// <summary>Queues a frame; a full queue drops the connection rather than block the sender or grow without bound.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame)
    {
        if (!outbound.Writer.TryWrite(frame) && outbound.Writer.TryComplete())
        {
            socket.Abort();
        }
    }

    public void Complete() => outbound.Writer.TryComplete();

    public async Task SendLoopAsync()
    {
        var reader = outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var frame))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone; its receive side ends the connection.
        }
    }
}
