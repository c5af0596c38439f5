namespace Chatter.Protocol.Frames;

/// <summary>A raw client's <c>{"edit": 17, "message": "new text"}</c>: the message's id and its new text (checked by the hub as a new message's).</summary>
public readonly record struct MessageEdit(long Id, string Message);
