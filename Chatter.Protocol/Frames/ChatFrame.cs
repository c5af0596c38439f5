namespace Chatter.Protocol.Frames;

/// <summary>
/// A chat frame from a raw client: <c>{"thread":"...","message":"...","ref":"..."}</c>. A client-supplied
/// <c>from</c>, <c>sender</c> and any unknown field are ignored.
/// </summary>
/// <param name="Thread">The thread name (not yet checked against <see cref="ChatRules"/>).</param>
/// <param name="Message">The text (not yet checked against <see cref="ChatRules"/>).</param>
/// <param name="Ref">The client's reference for an ack, when the frame carried a string <c>ref</c>.</param>
public sealed record ChatFrame(string Thread, string Message, string? Ref);
