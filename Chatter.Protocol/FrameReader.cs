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

        frame = new LoginFrame(username, password, since);
        return true;
    }

    /// <summary>Reads a chat frame. The result carries the frame, or the reason it was refused and its string <c>ref</c> if any.</summary>
    public static ChatFrameResult ReadChat(ReadOnlySpan<byte> utf8)
    {
        string? thread = null, message = null, reference = null;
        string? threadError = FrameError.ThreadRequired, messageError = FrameError.MessageRequired;
        JsonTokenType? presence = null;
        (HistoryQuery? Query, string? Error)? history = null;
        (string? User, bool Given) kick = (null, false);
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
                    history = ReadHistory(ref reader);
                }
                else if (reader.ValueTextEquals("kick"u8))
                {
                    reader.Read();
                    kick = (reader.TokenType == JsonTokenType.String ? reader.GetString() : null, true);
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

        if (kick.Given && threadError == FrameError.ThreadRequired && messageError == FrameError.MessageRequired)
        {
            // {"kick": "bob"} and nothing of a chat frame: an admin's kick.
            return kick.User is { } user ? ChatFrameResult.KickRequest(user, reference) : ChatFrameResult.Refused(FrameError.KickNotString, reference);
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

    /// <summary>The value of <c>"history"</c>, the reader on its first token; leaves the reader on its last.</summary>
    private static (HistoryQuery? Query, string? Error) ReadHistory(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, FrameError.HistoryNotObject);
        }

        string? thread = null, error = null;
        long? before = null;
        var limit = HistoryQuery.DefaultLimit;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("thread"u8) ? 't' : reader.ValueTextEquals("before"u8) ? 'b' : reader.ValueTextEquals("limit"u8) ? 'l' : ' ';
            reader.Read();
            switch (name)
            {
                case 't' when reader.TokenType is JsonTokenType.String:
                    thread = reader.GetString();
                    break;
                case 't' when reader.TokenType is not JsonTokenType.Null:
                    error ??= FrameError.HistoryThreadNotString;
                    break;
                case 'b' when reader.TokenType is JsonTokenType.Number && reader.TryGetInt64(out var id):
                    before = id;
                    break;
                case 'b' when reader.TokenType is not JsonTokenType.Null:
                    error ??= FrameError.HistoryBeforeNotInteger;
                    break;
                case 'l' when reader.TokenType is JsonTokenType.Number && reader.TryGetInt32(out var count):
                    limit = count;
                    break;
                case 'l':
                    error ??= FrameError.HistoryLimitNotInteger;
                    break;
            }

            reader.Skip();
        }

        return error is null ? (new HistoryQuery(thread, before, limit), null) : (null, error);
    }

    private static (string? Value, string? Error) ReadString(ref Utf8JsonReader reader, string missing, string notString)
        => reader.TokenType switch
        {
            JsonTokenType.String => (reader.GetString(), null),
            JsonTokenType.Null => (null, missing),
            _ => (null, notString),
        };
}

/// <summary>What <see cref="FrameReader.ReadChat"/> made of a frame: the frame, or why it was refused.</summary>
/// <param name="Frame">The frame, when it is usable.</param>
/// <param name="Error">The reason it was refused, when it is not.</param>
/// <param name="Ref">The frame's string <c>ref</c>, echoed in the ack or the error.</param>
public readonly record struct ChatFrameResult(ChatFrame? Frame, string? Error, string? Ref)
{
    /// <summary>True for <c>{"presence": true}</c>: the client asks for presence frames from now on.</summary>
    public bool IsPresenceRequest { get; init; }

    public static ChatFrameResult Refused(string error, string? reference) => new(null, error, reference);

    public static ChatFrameResult PresenceRequest(string? reference) => new(null, null, reference) { IsPresenceRequest = true };

    /// <summary>Set for <c>{"history": {...}}</c>: the client asks for a page of history.</summary>
    public HistoryQuery? History { get; init; }

    public static ChatFrameResult HistoryRequest(HistoryQuery query, string? reference) => new(null, null, reference) { History = query };

    /// <summary>Set for <c>{"kick": "bob"}</c>: the client (an admin) asks to disconnect that user.</summary>
    public string? Kick { get; init; }

    public static ChatFrameResult KickRequest(string user, string? reference) => new(null, null, reference) { Kick = user };
}
