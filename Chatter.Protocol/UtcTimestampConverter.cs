using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chatter.Protocol;

/// <summary>
/// Reads and writes timestamps as the wire contract fixes them: ISO 8601 in UTC with exactly three
/// fraction digits and <c>Z</c>, e.g. <c>2026-11-23T23:20:15.123Z</c>.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The format string of the wire contract.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The length in characters (and UTF-8 bytes) of every formatted timestamp.</summary>
    public const int Length = 24;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[Length];
        writer.WriteStringValue(buffer[..FormatUtf8(value, buffer)]);
    }

    /// <summary>Formats <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public static int FormatUtf8(DateTimeOffset value, Span<byte> destination)
    {
        value.UtcDateTime.TryFormat(destination, out var written, Format, CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>Truncates <paramref name="value"/> to whole milliseconds in UTC, so that what is stored is exactly what is sent.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
