using System.Net.WebSockets;
using System.Text;

namespace Chatter.Tests.Hardening;

/// <summary>One WebSocket message to send and what must come of it.</summary>
/// <param name="Kind">What the case tries, for the report.</param>
/// <param name="Payload">The message's bytes.</param>
/// <param name="Type">Text or binary.</param>
/// <param name="Outcome">The answer it must get.</param>
/// <param name="Ref">Raw: the <c>ref</c> the error or ack must carry. Hub: the invocation id.</param>
/// <param name="CloseStatus">For <see cref="FuzzOutcome.Closed"/>: the close status the server must send, or null when any end will do.</param>
/// <param name="Stored">For <see cref="FuzzOutcome.Stored"/>: the thread and message the history must then hold.</param>
/// <param name="MayAbort">For <see cref="FuzzOutcome.Closed"/>: an abort instead of the close frame is right too.</param>
internal sealed record FuzzCase(string Kind, byte[] Payload, WebSocketMessageType Type, FuzzOutcome Outcome, string? Ref = null, WebSocketCloseStatus? CloseStatus = null, (string Thread, string Message)? Stored = null, bool MayAbort = false)
{
    /// <summary>The kind and the first bytes of the payload, for a failure message.</summary>
    public override string ToString()
    {
        var preview = Type == WebSocketMessageType.Text && Payload.Length <= 200
            ? Encoding.UTF8.GetString(Payload)
            : Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 48))) + (Payload.Length > 48 ? "…" : "");
        return $"{Kind} ({Payload.Length} bytes {Type}): {preview}";
    }
}
