using System.Buffers.Text;
using System.Text;

namespace Chatter.Bench.Clients;

/// <summary>The raw protocol's client frames, written without a JSON writer (bench texts need no escaping, see <see cref="BenchMessage"/>).</summary>
internal static class RawFrames
{
    /// <summary>The most bytes <see cref="WriteChat"/> writes for these strings.</summary>
    public static int MaxChatLength(string thread, string text) => thread.Length + text.Length + 64;

    /// <summary><c>{"thread":"…","message":"…"}</c>, with <c>"ref":"N"</c> when <paramref name="reference"/> is given; returns the length.</summary>
    public static int WriteChat(Span<byte> destination, string thread, string text, long? reference)
    {
        var length = Append(destination, "{\"thread\":\""u8);
        length += Encoding.ASCII.GetBytes(thread, destination[length..]);
        length += Append(destination[length..], "\",\"message\":\""u8);
        length += Encoding.ASCII.GetBytes(text, destination[length..]);
        if (reference is { } r)
        {
            length += Append(destination[length..], "\",\"ref\":\""u8);
            Utf8Formatter.TryFormat(r, destination[length..], out var written);
            length += written;
        }

        return length + Append(destination[length..], "\"}"u8);
    }

    /// <summary>The number at the start of <paramref name="digits"/>, which must end with a quote (a <c>ref</c> the bench wrote).</summary>
    public static bool TryReadReference(ReadOnlySpan<byte> digits, out long reference)
        => Utf8Parser.TryParse(digits, out reference, out var consumed) && consumed < digits.Length && digits[consumed] == (byte)'"';

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}
