using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chatter.Protocol;

/// <summary>
/// Writes the raw protocol's server frames as UTF-8 JSON. Control characters are always escaped, so a
/// written frame never contains the 0x1E record separator.
/// </summary>
public static class FrameWriter
{
    /// <summary>The original server's reply to a good login, byte for byte.</summary>
    public static ReadOnlyMemory<byte> AuthOk { get; } = "{\"auth\": \"ok\"}"u8.ToArray();

    /// <summary>The original server's reply to a bad login, byte for byte.</summary>
    public static ReadOnlyMemory<byte> InvalidCredentials { get; } = "{\"error\": \"invalid credentials\"}"u8.ToArray();

    /// <summary>A login refused because its address or user name failed too often lately, in the same style.</summary>
    public static ReadOnlyMemory<byte> TooManyAttempts { get; } = "{\"error\": \"too many attempts\"}"u8.ToArray();

    /// <summary>A login refused because the server or the user holds as many connections as allowed, in the same style.</summary>
    public static ReadOnlyMemory<byte> TooManyConnections { get; } = "{\"error\": \"too many connections\"}"u8.ToArray();

    /// <summary>A login refused because the server checks as many passwords at once as it allows, in the same style.</summary>
    public static ReadOnlyMemory<byte> ServerBusy { get; } = "{\"error\": \"server busy\"}"u8.ToArray();

    /// <summary>
    /// A kicked user's connection closing (then 1008), and a kicked user's login refused, in the same style
    /// (<c>Chatter:KickMinutes</c>).
    /// </summary>
    public static ReadOnlyMemory<byte> Kicked { get; } = "{\"error\": \"kicked\"}"u8.ToArray();

    /// <summary>The frame, in the login refusals' style, of a login refused or a connection cut off for <paramref name="reason"/> (a <see cref="Frames.FrameError"/> reason).</summary>
    public static ReadOnlyMemory<byte> Refusal(string reason) => reason switch
    {
        Frames.FrameError.TooManyAttempts => TooManyAttempts,
        Frames.FrameError.TooManyConnections => TooManyConnections,
        Frames.FrameError.ServerBusy => ServerBusy,
        Frames.FrameError.Kicked => Kicked,
        _ => InvalidCredentials,
    };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The frames are not embedded in HTML; keep non-ASCII text readable and frames short.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static Utf8JsonWriter? cachedWriter;

    /// <summary><c>{"thread","message","from","sender","id","ts"}</c>: a stored message as raw clients receive it.</summary>
    public static void WriteMessage(ChatMessage message, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        WriteMessageObject(writer, message);
        writer.Flush();
    }

    /// <summary>
    /// <c>{"ref":"h1","history":[...]}</c>: a page of history a raw client asked for, oldest first, each message in the
    /// shape of <see cref="WriteMessage"/>; <c>ref</c> only when the request had one.
    /// </summary>
    public static void WriteHistory(string? reference, IReadOnlyList<ChatMessage> messages, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        if (reference is not null)
        {
            writer.WriteString("ref"u8, reference);
        }

        writer.WriteStartArray("history"u8);
        foreach (var message in messages)
        {
            WriteMessageObject(writer, message);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// <c>{"ref":"k1","kicked":"bob","until":"..."}</c>: an admin's kick done (every connection of the user closed, its
    /// logins refused until <paramref name="until"/>); <c>ref</c> only when the request had one.
    /// </summary>
    public static void WriteKicked(string? reference, string user, DateTimeOffset until, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        if (reference is not null)
        {
            writer.WriteString("ref"u8, reference);
        }

        writer.WriteString("kicked"u8, user);
        WriteTimestamp(writer, "until"u8, until);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// <c>{"ref":"e1","edited":{...}}</c>: a message with its new text and <c>editedTs</c>, in the shape of
    /// <see cref="WriteMessage"/>; the author's answer (with the edit's <c>ref</c>, when it had one) and, without a ref,
    /// the notice to the other v2 connections.
    /// </summary>
    public static void WriteEdited(string? reference, ChatMessage message, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        if (reference is not null)
        {
            writer.WriteString("ref"u8, reference);
        }

        writer.WritePropertyName("edited"u8);
        WriteMessageObject(writer, message);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// <c>{"ref":"d1","deleted":17,"thread":"general"}</c>: a message deleted; the deleter's answer (with the delete's
    /// <c>ref</c>, when it had one) and, without a ref, the notice to the other v2 connections.
    /// </summary>
    public static void WriteDeleted(string? reference, DeletedMessage deleted, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        if (reference is not null)
        {
            writer.WriteString("ref"u8, reference);
        }

        writer.WriteNumber("deleted"u8, deleted.Id);
        writer.WriteString("thread"u8, deleted.Thread);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"ack":"ref","id":17,"ts":"..."}</c>: the sender's confirmation that its message was stored.</summary>
    public static void WriteAck(string reference, ChatMessage message, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteString("ack"u8, reference);
        writer.WriteNumber("id"u8, message.Id);
        WriteTimestamp(writer, "ts"u8, message.Ts);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"recovered":true,"upTo":1234,"epoch":"..."}</c>: how the login replay answered the resume (v2).</summary>
    public static void WriteRecovery(Recovery recovery, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteBoolean("recovered"u8, recovery.Recovered);
        writer.WriteNumber("upTo"u8, recovery.UpTo);
        writer.WriteString("epoch"u8, recovery.Epoch);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"upTo":1240}</c>: a checkpoint (v2): every message with an id at or below it has been sent.</summary>
    public static void WriteCheckpoint(long upTo, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteNumber("upTo"u8, upTo);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"read":{"thread":"general","id":42}}</c>: the user read a thread up to an id (to the user's other v2 connections).</summary>
    public static void WriteReadMarker(ReadMarker marker, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteStartObject("read"u8);
        writer.WriteString("thread"u8, marker.Thread);
        writer.WriteNumber("id"u8, marker.Id);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"reads":{"general":42,"random":17}}</c>: every read marker of the user, at a v2 login.</summary>
    public static void WriteReadMarkers(IReadOnlyDictionary<string, long> markers, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteStartObject("reads"u8);
        foreach (var (thread, id) in markers)
        {
            writer.WriteNumber(thread, id);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"typing":"general","user":"alice"}</c>: someone is typing (to v2 connections).</summary>
    public static void WriteTyping(TypingNotice notice, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteString("typing"u8, notice.Thread);
        writer.WriteString("user"u8, notice.User);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"presence":"joined","user":"x"}</c> (or <c>"left"</c>) for a raw client that asked for presence.</summary>
    public static void WritePresence(string change, string user, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteString("presence"u8, change);
        writer.WriteString("user"u8, user);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary><c>{"error":"reason"}</c>, with <c>"ref"</c> when the refused frame had one.</summary>
    public static void WriteError(string reason, string? reference, IBufferWriter<byte> output)
    {
        var writer = Rent(output);
        writer.WriteStartObject();
        writer.WriteString("error"u8, reason);
        if (reference is not null)
        {
            writer.WriteString("ref"u8, reference);
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteMessageObject(Utf8JsonWriter writer, ChatMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("thread"u8, message.Thread);
        writer.WriteString("message"u8, message.Message);
        writer.WriteString("from"u8, message.From);
        writer.WriteString("sender"u8, message.From);
        writer.WriteNumber("id"u8, message.Id);
        WriteTimestamp(writer, "ts"u8, message.Ts);
        if (message.EditedTs is { } edited)
        {
            // Only once edited: a message never edited is written exactly as before edits existed.
            WriteTimestamp(writer, "editedTs"u8, edited);
        }

        writer.WriteEndObject();
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset ts)
    {
        Span<byte> buffer = stackalloc byte[UtcTimestampConverter.Length];
        writer.WriteString(name, buffer[..UtcTimestampConverter.FormatUtf8(ts, buffer)]);
    }

    private static Utf8JsonWriter Rent(IBufferWriter<byte> output)
    {
        var writer = cachedWriter;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, WriterOptions);
            cachedWriter = writer;
        }
        else
        {
            writer.Reset(output);
        }

        return writer;
    }
}
