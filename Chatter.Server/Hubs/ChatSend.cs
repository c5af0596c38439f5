namespace Chatter.Server.Hubs;

/// <summary>
/// One message a client asks to send: its thread and text as the client wrote them (validated by the hub), and the
/// client's own <see cref="Ref"/>, echoed in the answer. <see cref="Unreadable"/> is set by a transport for a frame it
/// could not read as a message (not JSON, binary), so that the refusal is answered in its place among the others.
/// </summary>
public sealed record ChatSend(string? Thread, string? Message, string? Ref = null, string? Unreadable = null);
