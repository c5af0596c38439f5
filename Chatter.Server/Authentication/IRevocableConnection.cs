namespace Chatter.Server.Authentication;

/// <summary>
/// A live connection that can be cut off (<see cref="UserRevocation"/>): when its user is revoked, or kicked by an admin.
/// A raw connection sends the reason's frame (<c>{"error": "invalid credentials"}</c>, <c>{"error": "kicked"}</c>) and
/// closes with 1008; a SignalR connection is closed with the reason as its close message's error.
/// </summary>
public interface IRevocableConnection
{
    /// <summary>
    /// Ends the connection for <paramref name="reason"/> (a <c>FrameError</c> reason: <c>invalid credentials</c> when its
    /// user no longer holds the credentials it logged in with, <c>kicked</c>). Must not block; a second call does nothing.
    /// </summary>
    void Revoke(string reason);
}
