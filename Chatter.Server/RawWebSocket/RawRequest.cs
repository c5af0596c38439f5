using Chatter.Protocol.Frames;
using Chatter.Server.Hubs;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// What <see cref="RawFrameBatcher"/> took: chat sends, or (when <see cref="Sends"/> is null) a request of its own with
/// its <see cref="Ref"/>: a page of history when <see cref="History"/> is set, a read marker when <see cref="Read"/> is,
/// a typing notice when <see cref="Typing"/> is, an admin's kick of the user <see cref="Kick"/> when that is set, an edit
/// when <see cref="Edit"/> is, a delete of the message <see cref="Delete"/> when that is, else the presence opt-in.
/// </summary>
public readonly record struct RawRequest(ChatSend[]? Sends, string? Ref, HistoryQuery? History = null, Chatter.Protocol.ReadMarker? Read = null, string? Typing = null, string? Kick = null, MessageEdit? Edit = null, long? Delete = null);
