using System.Buffers.Binary;
using Chatter.Bench.Measurement;

namespace Chatter.Bench.Clients;

/// <summary>
/// The WebSocket framing of <see cref="LeanRawClient"/>: client frames masked with a zero key written, whole server
/// frames (never masked) found in place.
/// </summary>
internal static class LeanWebSocketFrames
{
    /// <summary>The largest message the lean client takes, in bytes.</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    /// <summary>Header bytes of a masked client frame with a zero mask key.</summary>
    public static int HeaderLength(int payload) => (payload < 126 ? 2 : payload <= ushort.MaxValue ? 4 : 10) + 4;

    public static void WriteHeader(Span<byte> header, byte first, int payload)
    {
        header[0] = first;
        int at;
        if (payload < 126)
        {
            header[1] = (byte)(0x80 | payload);
            at = 2;
        }
        else if (payload <= ushort.MaxValue)
        {
            header[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payload);
            at = 4;
        }
        else
        {
            header[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payload);
            at = 10;
        }

        header.Slice(at, 4).Clear();
    }

    /// <summary>A whole server frame at the start of <paramref name="data"/> (servers never mask).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out Frame frame)
    {
        frame = default;
        if (data.Length < 2)
        {
            return false;
        }

        var length = (long)(data[1] & 0x7F);
        var header = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            header = 10;
        }

        if (length > MaxMessageBytes)
        {
            throw new BenchException($"a frame over {MaxMessageBytes} bytes");
        }

        if (data.Length < header + length)
        {
            return false;
        }

        frame = new Frame((data[0] & 0x80) != 0, data[0] & 0x0F, header, (int)length);
        return true;
    }

    public readonly record struct Frame(bool Final, int Opcode, int PayloadStart, int PayloadLength)
    {
        public int Length => PayloadStart + PayloadLength;
    }
}
