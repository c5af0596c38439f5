using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chatter.Protocol;
using StackExchange.Redis;

namespace Chatter.Server.History;

/// <summary>How <see cref="RedisChatHistory"/> writes a message into a sorted-set member and reads it back.</summary>
internal static class RedisHistoryRows
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads a stored row; false for one that is not a whole message (hand-edited, or written by something else), which
    /// readers skip rather than fail the whole replay or page for.
    /// </summary>
    public static bool TryParse(RedisValue row, out ChatMessage message)
    {
        message = null!;
        try
        {
            if (row.IsNull
                || JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)row).Span, ProtocolJsonContext.Default.ChatMessage) is not { } parsed
                || parsed.Thread is null || parsed.Message is null || parsed.From is null || parsed.Id <= 0)
            {
                return false;
            }

            message = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The dedupe key of a post: a hash of its user, ref, thread and text (fixed length, whatever they hold), under which
    /// the append script keeps the stored message's id and time for the dedupe window.
    /// </summary>
    public static string PostKey(ChatPost post)
    {
        var text = string.Join('\n', post.From.Length, post.From, post.Ref!.Length, post.Ref, post.Thread.Length, post.Thread, post.Message);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A timestamp in the wire format (which sorts as text, as the retention script relies on).</summary>
    public static string Timestamp(DateTimeOffset value)
        => value.UtcDateTime.ToString(UtcTimestampConverter.Format, CultureInfo.InvariantCulture);

    /// <summary>The stored JSON from the field after the id on: <c>"ts":"...","thread":...,"message":...,"from":...}</c>.</summary>
    public static byte[] BodyAfterId(string thread, string message, string from, DateTimeOffset ts)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (message.Length * 3));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("ts"u8, Timestamp(ts));
            writer.WriteString("thread"u8, thread);
            writer.WriteString("message"u8, message);
            writer.WriteString("from"u8, from);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan[1..].ToArray();
    }

    /// <summary>An edited row's JSON from the field after the thread on: <c>,"message":...,"from":...,"editedTs":"..."}</c>.</summary>
    public static byte[] BodyAfterThread(string message, string from, DateTimeOffset editedTs)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (message.Length * 3));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("message"u8, message);
            writer.WriteString("from"u8, from);
            writer.WriteString("editedTs"u8, Timestamp(editedTs));
            writer.WriteEndObject();
        }

        var body = buffer.WrittenSpan.ToArray();
        body[0] = (byte)',';
        return body;
    }
}
