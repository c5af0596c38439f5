namespace Chatter.Server.History;

/// <summary>The removal of a stored message (its text is gone), asked by <paramref name="User"/>.</summary>
/// <param name="Id">The message's id.</param>
/// <param name="User">Who asks.</param>
/// <param name="AsAdmin">True when <paramref name="User"/> is an admin, who may delete anyone's message; else only the author may.</param>
public sealed record ChatDelete(long Id, string User, bool AsAdmin);
