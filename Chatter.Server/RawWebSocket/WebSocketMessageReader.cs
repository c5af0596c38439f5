using System.Buffers;
using System.Net.WebSockets;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// Reads whole WebSocket messages, fragments joined, up to a byte limit. Waits for data with a zero-byte
/// read, so an idle socket holds no buffer; the buffer of a message is rented and given back.
/// </summary>
internal sealed class WebSocketMessageReader(WebSocket socket, int maxBytes) : IDisposable
{
    private byte[]? buffer;

    /// <summary>The message just read (valid until the next read).</summary>
    public ReadOnlyMemory<byte> Message { get; private set; }

    public async ValueTask<WebSocketMessageKind> ReadAsync(CancellationToken cancellationToken)
    {
        Release();
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return WebSocketMessageKind.Close;
        }

        if (first.EndOfMessage)
        {
            // An empty message: the zero-byte read took all of it. Reading on would take the next message for this one.
            return first.MessageType == WebSocketMessageType.Text ? WebSocketMessageKind.Text : WebSocketMessageKind.Binary;
        }

        buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 4096));
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var grown = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                buffer.AsSpan(0, length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = grown;
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return WebSocketMessageKind.Close;
            }

            length += result.Count;
            if (length > maxBytes)
            {
                return WebSocketMessageKind.TooLarge;
            }

            if (result.EndOfMessage)
            {
                Message = buffer.AsMemory(0, length);
                return result.MessageType == WebSocketMessageType.Text ? WebSocketMessageKind.Text : WebSocketMessageKind.Binary;
            }
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        Message = default;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }
}

internal enum WebSocketMessageKind
{
    Text,
    Binary,
    Close,
    TooLarge,
}
