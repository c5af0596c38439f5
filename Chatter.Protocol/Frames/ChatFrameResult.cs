using Chatter.Protocol.Frames;

namespace Chatter.Protocol;

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

    /// <summary>Set for <c>{"read": {"thread", "id"}}</c>: the user has read the thread up to the id.</summary>
    public ReadMarker? Read { get; init; }

    public static ChatFrameResult ReadRequest(ReadMarker marker, string? reference) => new(null, null, reference) { Read = marker };

    /// <summary>Set for <c>{"typing": "thread"}</c>: the user is typing in the thread.</summary>
    public string? Typing { get; init; }

    public static ChatFrameResult TypingRequest(string thread, string? reference) => new(null, null, reference) { Typing = thread };

    /// <summary>Set for <c>{"kick": "bob"}</c>: the client (an admin) asks to disconnect that user.</summary>
    public string? Kick { get; init; }

    public static ChatFrameResult KickRequest(string user, string? reference) => new(null, null, reference) { Kick = user };

    /// <summary>Set for <c>{"edit": 17, "message": "new text"}</c>: the author changes the text of a message.</summary>
    public MessageEdit? Edit { get; init; }

    public static ChatFrameResult EditRequest(MessageEdit edit, string? reference) => new(null, null, reference) { Edit = edit };

    /// <summary>Set for <c>{"delete": 17}</c>: the author (or an admin) deletes a message; the id.</summary>
    public long? Delete { get; init; }

    public static ChatFrameResult DeleteRequest(long id, string? reference) => new(null, null, reference) { Delete = id };
}
