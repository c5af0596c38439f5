using System.Text.Json;
using Chatter.Protocol.Frames;

namespace Chatter.Protocol;

/// <summary>
/// Turns the UTF-8 text of a raw client's frame into a frame or a reason. Bad input is an answer, not an
/// exception: nothing here throws for anything a client can send.
/// </summary>
public static class FrameReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Reads a login frame; false for anything that is not an object with string <c>username</c> and <c>password</c>.</summary>
    public static bool TryReadLogin(ReadOnlySpan<byte> utf8, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LoginFrame? frame)
    {
        frame = null;
        string? username = null, password = null;
        long? since = null;
        var version = 1;
        string? epoch = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("username"u8))
                {
                    reader.Read();
                    username = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("password"u8))
                {
                    reader.Read();
                    password = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("since"u8))
                {
                    reader.Read();
                    // A since that is not a non-negative integer is ignored: the client gets the full replay.
                    since = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) && id >= 0 ? id : null;
                }
                else if (reader.ValueTextEquals("v"u8))
                {
                    reader.Read();
                    // A version this server does not know is read as the newest it speaks; anything else as the original's.
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) && v >= 2 ? LoginFrame.LatestVersion : 1;
                }
                else if (reader.ValueTextEquals("epoch"u8))
                {
                    reader.Read();
                    // An epoch is short; anything else cannot be the store's, and is read as one that is not.
                    epoch = reader.TokenType == JsonTokenType.String ? Truncated(reader.GetString()!) : null;
                }
                else
                {
                    reader.Read();
                }

                reader.Skip();
            }

            // The rest must be well-formed too: Read() throws on trailing garbage.
            while (reader.Read())
            {
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        if (username is null || password is null)
        {
            return false;
        }

        frame = new LoginFrame(username, password, since, version, epoch);
        return true;
    }

    private static string Truncated(string epoch) => epoch.Length <= MaxEpochChars ? epoch : epoch[..MaxEpochChars];

    /// <summary>Longer than any store's epoch; a longer one given at login is cut to it (and so matches none).</summary>
    public const int MaxEpochChars = 64;

    /// <summary>Reads a chat frame. The result carries the frame, or the reason it was refused and its string <c>ref</c> if any.</summary>
    public static ChatFrameResult ReadChat(ReadOnlySpan<byte> utf8)
    {
        string? thread = null, message = null, reference = null;
        string? threadError = FrameError.ThreadRequired, messageError = FrameError.MessageRequired;
        JsonTokenType? presence = null;
        (HistoryQuery? Query, string? Error)? history = null;
        (ReadMarker? Marker, string? Error)? read = null;
        (string? Thread, string? Error)? typing = null;
        (string? User, bool Given) kick = (null, false);
        (long? Id, bool Given) edit = (null, false), delete = (null, false);
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read())
            {
                return ChatFrameResult.Refused(FrameError.InvalidJson, null);
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                while (reader.Read())
                {
                }

                return ChatFrameResult.Refused(FrameError.NotAnObject, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("thread"u8))
                {
                    reader.Read();
                    (thread, threadError) = ReadString(ref reader, FrameError.ThreadRequired, FrameError.ThreadNotString);
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    (message, messageError) = ReadString(ref reader, FrameError.MessageRequired, FrameError.MessageNotString);
                }
                else if (reader.ValueTextEquals("presence"u8))
                {
                    reader.Read();
                    presence = reader.TokenType;
                }
                else if (reader.ValueTextEquals("history"u8))
                {
                    reader.Read();
                    history = RequestReaders.ReadHistory(ref reader);
                }
                else if (reader.ValueTextEquals("read"u8))
                {
                    reader.Read();
                    read = RequestReaders.ReadMarker(ref reader);
                }
                else if (reader.ValueTextEquals("typing"u8))
                {
                    reader.Read();
                    typing = reader.TokenType == JsonTokenType.String ? (reader.GetString(), null) : (null, FrameError.TypingNotString);
                }
                else if (reader.ValueTextEquals("kick"u8))
                {
                    reader.Read();
                    kick = (reader.TokenType == JsonTokenType.String ? reader.GetString() : null, true);
                }
                else if (reader.ValueTextEquals("edit"u8))
                {
                    reader.Read();
                    edit = (PositiveId(ref reader), true);
                }
                else if (reader.ValueTextEquals("delete"u8))
                {
                    reader.Read();
                    delete = (PositiveId(ref reader), true);
                }
                else if (reader.ValueTextEquals("ref"u8))
                {
                    reader.Read();
                    // ref is echoed only when it is a string; any other value means no ack.
                    reference = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                }

                reader.Skip();
            }

            while (reader.Read())
            {
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 or UTF-16 (a lone surrogate escape).
            return ChatFrameResult.Refused(FrameError.InvalidJson, null);
        }

        if (presence is not null && threadError == FrameError.ThreadRequired && messageError == FrameError.MessageRequired)
        {
            // {"presence": true} and nothing of a chat frame: the presence opt-in.
            return presence == JsonTokenType.True ? ChatFrameResult.PresenceRequest(reference) : ChatFrameResult.Refused(FrameError.PresenceNotTrue, reference);
        }

        if (history is { } asked && threadError == FrameError.ThreadRequired && messageError == FrameError.MessageRequired)
        {
            // {"history": {...}} and nothing of a chat frame (a chat frame's unknown "history" field is ignored, as any other).
            return asked.Query is { } query ? ChatFrameResult.HistoryRequest(query, reference) : ChatFrameResult.Refused(asked.Error!, reference);
        }

        var notChat = threadError == FrameError.ThreadRequired && messageError == FrameError.MessageRequired;
        if (read is { } marker && notChat)
        {
            return marker.Marker is { } value ? ChatFrameResult.ReadRequest(value, reference) : ChatFrameResult.Refused(marker.Error!, reference);
        }

        if (typing is { } typed && notChat)
        {
            return typed.Thread is { } name ? ChatFrameResult.TypingRequest(name, reference) : ChatFrameResult.Refused(typed.Error!, reference);
        }

        if (kick.Given && notChat)
        {
            // {"kick": "bob"} and nothing of a chat frame: an admin's kick.
            return kick.User is { } user ? ChatFrameResult.KickRequest(user, reference) : ChatFrameResult.Refused(FrameError.KickNotString, reference);
        }

        if (edit.Given && threadError == FrameError.ThreadRequired)
        {
            // {"edit": 17, "message": "new text"} without a thread: the author's edit (a chat frame's "edit" is ignored).
            return edit.Id is not { } id ? ChatFrameResult.Refused(FrameError.EditIdNotPositive, reference)
                : messageError is not null ? ChatFrameResult.Refused(messageError, reference)
                : ChatFrameResult.EditRequest(new MessageEdit(id, message!), reference);
        }

        if (delete.Given && notChat)
        {
            return delete.Id is { } id ? ChatFrameResult.DeleteRequest(id, reference) : ChatFrameResult.Refused(FrameError.DeleteIdNotPositive, reference);
        }

        if (threadError is not null)
        {
            return ChatFrameResult.Refused(threadError, reference);
        }

        if (messageError is not null)
        {
            return ChatFrameResult.Refused(messageError, reference);
        }

        return new ChatFrameResult(new ChatFrame(thread!, message!, reference), null, reference);
    }

    /// <summary>The value of an <c>edit</c> or <c>delete</c>: a positive integer id, else null.</summary>
    private static long? PositiveId(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) && id > 0 ? id : null;

    private static (string? Value, string? Error) ReadString(ref Utf8JsonReader reader, string missing, string notString)
        => reader.TokenType switch
        {
            JsonTokenType.String => (reader.GetString(), null),
            JsonTokenType.Null => (null, missing),
            _ => (null, notString),
        };
}
