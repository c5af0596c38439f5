using System.Buffers;
using System.Buffers.Binary;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Hubs;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The batching step of <c>/ws/chat</c>: the chat frames a client sent back to back, already waiting together in the
/// connection's input, become one request, so the store commits them together. The hub runs one call per connection at
/// a time, so a sender whose frames went one call each would wait for one commit per frame. A presence, history or kick
/// request is never batched: it is a request of its own, in its place. Frames that are not chat messages (not JSON, binary) stay in the
/// batch in their places, so every frame is answered in the order it was sent.
/// <para>
/// Inbound frames are <c>[kind:1][length:4, little endian][payload]</c> as <see cref="WriteInboundFrame"/> writes them, so
/// any bytes a client sends stay inside one frame.
/// </para>
/// </summary>
public static class RawFrameBatcher
{
    /// <summary>The most frames in one batch; more waiting frames go in the next one.</summary>
    public const int MaxFrames = 128;

    /// <summary>The inbound frame header: one kind byte and a four-byte length.</summary>
    public const int HeaderLength = 5;

    /// <summary>Inbound frame kinds.</summary>
    public const byte TextFrame = 0, BinaryFrame = 1;

    /// <summary>Writes one inbound frame as <see cref="TryTake"/> reads it.</summary>
    public static void WriteInboundFrame(byte kind, ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(HeaderLength + payload.Length);
        span[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], payload.Length);
        payload.CopyTo(span[HeaderLength..]);
        output.Advance(HeaderLength + payload.Length);
    }

    /// <summary>
    /// Takes the next request from <paramref name="input"/>: a presence, history or kick request alone, or the chat frames waiting in a row
    /// (up to <see cref="MaxFrames"/>) as sends. False when no whole frame waits.
    /// </summary>
    public static bool TryTake(ref ReadOnlySequence<byte> input, out RawRequest request)
    {
        request = default;
        if (!TryReadFrame(input, out var first, out var rest))
        {
            return false;
        }

        input = rest;
        if (IsRequestOfItsOwn(first))
        {
            request = new RawRequest(null, first.Ref, first.History, first.Read, first.Typing, first.Kick, first.Edit, first.Delete);
            return true;
        }

        var sends = new List<ChatSend>(1) { ToSend(first) };
        while (sends.Count < MaxFrames && TryReadFrame(input, out var next, out rest) && !IsRequestOfItsOwn(next))
        {
            sends.Add(ToSend(next));
            input = rest;
        }

        request = new RawRequest([.. sends], null);
        return true;
    }

    /// <summary>Reads the next whole inbound frame of <paramref name="input"/>, if there is one, and what follows it.</summary>
    private static bool TryReadFrame(ReadOnlySequence<byte> input, out ChatFrameResult frame, out ReadOnlySequence<byte> rest)
    {
        frame = default;
        rest = input;
        if (input.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        input.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length < 0)
        {
            // Only the connection's own receive loop writes these headers.
            throw new InvalidDataException("corrupt inbound frame header");
        }

        if (input.Length < HeaderLength + length)
        {
            return false;
        }

        var payload = input.Slice(HeaderLength, length);
        frame = header[0] != TextFrame ? ChatFrameResult.Refused(FrameError.BinaryFrame, null)
            : payload.IsSingleSegment ? FrameReader.ReadChat(payload.FirstSpan)
            : FrameReader.ReadChat(payload.ToArray());
        rest = input.Slice(payload.End);
        return true;
    }

    /// <summary>A presence, history, read marker, typing, kick, edit or delete request: never batched, a call of its own in its place.</summary>
    private static bool IsRequestOfItsOwn(ChatFrameResult frame)
        => frame.IsPresenceRequest || frame.History is not null || frame.Read is not null || frame.Typing is not null || frame.Kick is not null
            || frame.Edit is not null || frame.Delete is not null;

    private static ChatSend ToSend(ChatFrameResult result)
        => result.Frame is { } frame ? new ChatSend(frame.Thread, frame.Message, frame.Ref) : new ChatSend(null, null, result.Ref, result.Error);
}

