using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Chatter.Bench.Clients;

/// <summary>
/// The text of a bench message: <c>RUN|KIND|SENDER|SEQ|SENT|xxx…</c>, where <c>RUN</c> tells this run's messages from
/// any others in the history, <c>KIND</c> is <c>m</c> (measured) or <c>p</c> (a probe that checks every client is in the
/// broadcast), <c>SENT</c> is the <see cref="Stopwatch"/> timestamp the message was due to be sent, and the padding
/// brings the text to the requested size. Only ASCII letters, digits and <c>|</c>: it needs no JSON escaping, so a
/// receiver reads it straight out of the frame's bytes.
/// </summary>
internal static class BenchMessage
{
    public const byte Measured = (byte)'m';
    public const byte Probe = (byte)'p';

    /// <summary>The text for a message of <paramref name="sender"/>, padded with <c>x</c> to at least <paramref name="size"/> characters.</summary>
    public static string Create(string run, byte kind, int sender, long sequence, long sentTimestamp, int size)
    {
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run}|{(char)kind}|{sender}|{sequence}|{sentTimestamp}|");
        return text.Length >= size ? text : text + new string('x', size - text.Length);
    }

    /// <summary>Reads a text made by <see cref="Create"/>; false for any other text (another client's, a corrupted one).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, ReadOnlySpan<byte> run, out Parsed parsed)
    {
        parsed = default;
        if (!text.StartsWith(run) || text.Length < run.Length + 3 || text[run.Length] != (byte)'|')
        {
            return false;
        }

        text = text[(run.Length + 1)..];
        var kind = text[0];
        if (text[1] != (byte)'|')
        {
            return false;
        }

        text = text[2..];
        if (!TryReadNumber(ref text, out var sender) || !TryReadNumber(ref text, out var sequence) || !TryReadNumber(ref text, out var sent))
        {
            return false;
        }

        parsed = new Parsed(kind, (int)sender, sequence, sent);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, ReadOnlySpan{byte}, out Parsed)"/>
    public static bool TryParse(string text, ReadOnlySpan<byte> run, out Parsed parsed)
    {
        Span<byte> utf8 = stackalloc byte[Math.Min(text.Length, 96)];
        var length = Encoding.ASCII.GetBytes(text.AsSpan(0, utf8.Length), utf8);
        return TryParse(utf8[..length], run, out parsed);
    }

    /// <summary>The value of the first <c>"message":"</c> string in a raw frame (no escapes: see <see cref="BenchMessage"/>).</summary>
    public static ReadOnlySpan<byte> MessageField(ReadOnlySpan<byte> frame)
    {
        var start = frame.IndexOf("\"message\":\""u8);
        if (start < 0)
        {
            return default;
        }

        var value = frame[(start + 11)..];
        var end = value.IndexOf((byte)'"');
        return end < 0 ? default : value[..end];
    }

    private static bool TryReadNumber(ref ReadOnlySpan<byte> text, out long value)
    {
        var end = text.IndexOf((byte)'|');
        if (end < 0 || !Utf8Parser.TryParse(text[..end], out value, out var consumed) || consumed != end)
        {
            value = 0;
            return false;
        }

        text = text[(end + 1)..];
        return true;
    }

    /// <summary>A parsed bench message.</summary>
    public readonly record struct Parsed(byte Kind, int Sender, long Sequence, long SentTimestamp);
}
