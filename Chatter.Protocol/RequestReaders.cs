using System.Text.Json;
using Chatter.Protocol.Frames;

namespace Chatter.Protocol;

/// <summary>The values of the raw requests that are not chat frames: a history page and a read marker.</summary>
internal static class RequestReaders
{
    /// <summary>The value of <c>"history"</c>, the reader on its first token; leaves the reader on its last.</summary>
    public static (HistoryQuery? Query, string? Error) ReadHistory(ref Utf8JsonReader reader)
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

    /// <summary>The value of <c>"read"</c> (<c>{"thread": "general", "id": 42}</c>), the reader on its first token; leaves the reader on its last.</summary>
    public static (ReadMarker? Marker, string? Error) ReadMarker(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, FrameError.ReadNotObject);
        }

        string? thread = null, error = null;
        long? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("thread"u8) ? 't' : reader.ValueTextEquals("id"u8) ? 'i' : ' ';
            reader.Read();
            switch (name)
            {
                case 't' when reader.TokenType is JsonTokenType.String:
                    thread = reader.GetString();
                    break;
                case 't':
                    error ??= FrameError.ThreadNotString;
                    break;
                case 'i' when reader.TokenType is JsonTokenType.Number && reader.TryGetInt64(out var value) && value > 0:
                    id = value;
                    break;
                case 'i':
                    error ??= FrameError.ReadIdNotPositive;
                    break;
            }

            reader.Skip();
        }

        error ??= thread is null ? FrameError.ThreadRequired : id is null ? FrameError.ReadIdNotPositive : null;
        return error is null ? (new ReadMarker(thread!, id!.Value), null) : (null, error);
    }
}
