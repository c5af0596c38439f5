using System.Buffers;
using System.Buffers.Binary;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// How the <c>chatter-raw</c> protocol hands frames to the socket's writer loop: records of
/// <c>[length:4][tag:8][payload]</c>, little endian, each payload one WebSocket text message. The tag is the id of the
/// chat message the payload carries (read by the replay gate without parsing JSON, also for a broadcast that came from
/// another node), <see cref="Droppable"/> for a frame a slow reader does without, <see cref="Other"/> for any other frame, or <see cref="ServerError"/> for the hub's report of its own
/// failure (no payload: the socket is then closed with 1011).
/// </summary>
public static class RawOutboundFrames
{
    /// <summary>The record header: a four-byte length and an eight-byte tag.</summary>
    public const int HeaderLength = 12;

    /// <summary>The tag of a frame that is not a chat message.</summary>
    public const long Other = 0;

    /// <summary>The tag of the hub's report that it failed.</summary>
    public const long ServerError = -1;

    /// <summary>The tag of a frame a reader that is behind does without (a typing notice): dropped rather than queued behind others.</summary>
    public const long Droppable = -2;

    /// <summary>Writes one record.</summary>
    public static void Write(IBufferWriter<byte> output, long tag, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(HeaderLength + payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], tag);
        payload.CopyTo(span[HeaderLength..]);
        output.Advance(HeaderLength + payload.Length);
    }

    /// <summary>Writes one record into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, long tag, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], tag);
        payload.CopyTo(destination[HeaderLength..]);
        return HeaderLength + payload.Length;
    }

    /// <summary>The tag of the first record of <paramref name="records"/>; <see cref="Other"/> when there is none.</summary>
    public static long TagOf(ReadOnlySpan<byte> records)
        => records.Length >= HeaderLength ? BinaryPrimitives.ReadInt64LittleEndian(records[4..]) : Other;

    /// <summary>Reads the next record of <paramref name="records"/>; false when none is left.</summary>
    public static bool TryRead(ref ReadOnlyMemory<byte> records, out long tag, out ReadOnlyMemory<byte> payload)
    {
        if (records.Length < HeaderLength)
        {
            tag = Other;
            payload = default;
            return false;
        }

        var span = records.Span;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        tag = BinaryPrimitives.ReadInt64LittleEndian(span[4..]);
        payload = records.Slice(HeaderLength, length);
        records = records[(HeaderLength + length)..];
        return true;
    }
}
