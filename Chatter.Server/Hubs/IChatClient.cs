using Chatter.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>What the hub calls on its clients (SignalR clients and, through the raw protocol, raw clients).</summary>
public interface IChatClient
{
    /// <summary>A stored message: the login replay, then live messages of the other connections.</summary>
    Task ReceiveMessage(ChatMessage message);

    /// <summary>
    /// After the login replay, to raw connections that logged in with <c>"v": 2</c>: whether their <c>since</c> was
    /// honoured in full, the id the replay covers and the store's epoch. (SignalR clients get it as <c>Resume</c>'s answer.)
    /// </summary>
    Task Recovered(Recovery recovery);

    /// <summary>
    /// To v2 connections, at most once a second while messages flow: every message with an id at or below
    /// <paramref name="upTo"/> has been sent; resume from it.
    /// </summary>
    Task Checkpoint(long upTo);

    /// <summary>To the user's other v2 connections: the user read a thread up to an id (<c>{"read": {...}}</c> raw).</summary>
    Task ReadMarker(ReadMarker marker);

    /// <summary>At a v2 connection's start, after the replay: every read marker of the user (<c>{"reads": {...}}</c> raw).</summary>
    Task ReadMarkers(IReadOnlyDictionary<string, long> markers);

    /// <summary>To the other v2 connections: someone is typing in a thread. Dropped for a reader that is behind.</summary>
    Task UserTyping(TypingNotice notice);

    /// <summary>To the other v2 connections that see the thread: a message's new text, with its <c>editedTs</c> (<c>{"edited": {...}}</c> raw).</summary>
    Task MessageEdited(ChatMessage message);

    /// <summary>To the other v2 connections that see the thread: a message was deleted (<c>{"deleted": 17, "thread"}</c> raw).</summary>
    Task MessageDeleted(DeletedMessage deleted);

    /// <summary>A user's first connection on this node opened (for connections that called <c>SubscribePresence</c>).</summary>
    Task UserJoined(string user);

    /// <summary>A user's last connection on this node closed (for connections that called <c>SubscribePresence</c>).</summary>
    Task UserLeft(string user);
}
