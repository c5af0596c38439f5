namespace Chatter.Server.History;

/// <summary>A change of a stored message's text, asked by <paramref name="User"/>: done only when they are its author.</summary>
/// <param name="Id">The message's id.</param>
/// <param name="User">Who asks.</param>
/// <param name="Message">The new text (already checked against the rules of a new message).</param>
public sealed record ChatEdit(long Id, string User, string Message);
