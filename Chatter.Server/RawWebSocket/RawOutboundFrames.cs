using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Chatter.Server.Delivery;

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

    /// <summary>
    /// The tag of a <see cref="PrivateId"/> (never written to a socket: the delivery consumes it). Its payload is the id
    /// (eight bytes), the first user's UTF-8 length (four), then both users' names in UTF-8.
    /// </summary>
    public const long Private = -3;

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

    /// <summary>Writes a <see cref="PrivateId"/> record.</summary>
    public static void WritePrivateId(IBufferWriter<byte> output, PrivateId id)
    {
        var firstLength = Encoding.UTF8.GetByteCount(id.First);
        var length = 12 + firstLength + Encoding.UTF8.GetByteCount(id.Second);
        var span = output.GetSpan(HeaderLength + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], Private);
        BinaryPrimitives.WriteInt64LittleEndian(span[HeaderLength..], id.Id);
        BinaryPrimitives.WriteInt32LittleEndian(span[(HeaderLength + 8)..], firstLength);
        var written = Encoding.UTF8.GetBytes(id.First, span[(HeaderLength + 12)..]);
        written += Encoding.UTF8.GetBytes(id.Second, span[(HeaderLength + 12 + written)..]);
        output.Advance(HeaderLength + 12 + written);
    }

    /// <summary>The <see cref="PrivateId"/> of the first record of <paramref name="records"/>; null when it holds none.</summary>
    public static PrivateId? ReadPrivateId(ReadOnlyMemory<byte> records)
    {
        var span = records.Span;
        if (TagOf(span) != Private || span.Length < HeaderLength + 12)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        var payload = span.Slice(HeaderLength, length);
        var firstLength = BinaryPrimitives.ReadInt32LittleEndian(payload[8..]);
        return new PrivateId(
            BinaryPrimitives.ReadInt64LittleEndian(payload),
            Encoding.UTF8.GetString(payload.Slice(12, firstLength)),
            Encoding.UTF8.GetString(payload[(12 + firstLength)..]));
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
