using System.Net.WebSockets;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// Why a raw connection's socket is closed: the first reason set wins, and the close frame carries it. Several threads
/// may report an end (the receive loop, the hub, the writer loop, an abort); the status and its description are
/// always set together. Until one is set, the close is a normal one (1000).
/// </summary>
internal sealed class RawClose
{
    private static readonly Reason Normal = new(WebSocketCloseStatus.NormalClosure, "");

    private Reason? reason;

    /// <summary>The close status to send.</summary>
    public WebSocketCloseStatus Status => (Volatile.Read(ref reason) ?? Normal).Status;

    /// <summary>The close frame's description.</summary>
    public string Description => (Volatile.Read(ref reason) ?? Normal).Description;

    /// <summary>Sets the reason unless one is set already.</summary>
    public void TrySet(WebSocketCloseStatus status, string description)
        => Interlocked.CompareExchange(ref reason, new Reason(status, description), null);

    private sealed record Reason(WebSocketCloseStatus Status, string Description);
}
