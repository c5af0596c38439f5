using System.Buffers;
using System.IO.Pipelines;
using Chatter.Server.Delivery;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The hub's output of a raw connection (what <c>HubConnectionContext</c> writes itself: the handshake answer and the
/// answers to the client's calls). There is no pipe behind it: each flush hands the written records, in the array they
/// were written to (rented, and returned once sent), to the connection's <see cref="Outbox"/>, the same queue
/// broadcasts go to, so the socket has one writer loop. Idle, it holds no buffer. The hub writes under its own write
/// lock, so one writer at a time.
/// </summary>
internal sealed class RawOutput(Outbox queue, Action full, Action<string> handshakeRefused) : PipeWriter
{
    private static readonly byte[] HandshakeOk = "{}\u001e"u8.ToArray();

    private byte[]? buffer;
    private int written;
    private bool handshakeSeen;
    private bool completed;

    public override void Advance(int bytes) => written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (written > 0 && buffer is { } records)
        {
            var length = written;
            buffer = null;
            written = 0;
            if (!handshakeSeen)
            {
                // The first flush is the in-process handshake's answer, which only the hub and this adapter see.
                handshakeSeen = true;
                if (!records.AsSpan(0, length).SequenceEqual(HandshakeOk))
                {
                    handshakeRefused(System.Text.Encoding.UTF8.GetString(records, 0, length));
                }

                ArrayPool<byte>.Shared.Return(records);
            }
            else if (queue.TryEnqueue(new Outbound(null, records.AsMemory(0, length), records)) == EnqueueResult.Full)
            {
                full();
            }
        }

        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: completed));
    }

    public override void CancelPendingFlush()
    {
        // Flushes never wait.
    }

    public override void Complete(Exception? exception = null)
    {
        completed = true;
        if (buffer is { } rented)
        {
            buffer = null;
            ArrayPool<byte>.Shared.Return(rented);
        }

        queue.Complete();
    }

    private byte[] Reserve(int sizeHint)
    {
        var needed = written + Math.Max(sizeHint, 1);
        if (buffer is null || buffer.Length < needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 512));
            if (buffer is not null)
            {
                buffer.AsSpan(0, written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = larger;
        }

        return buffer;
    }
}
