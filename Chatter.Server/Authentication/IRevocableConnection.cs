namespace Chatter.Server.Authentication;

/// <summary>
/// A live connection that can be cut off when its user is revoked (<see cref="UserRevocation"/>): a raw connection
/// sends <c>{"error": "invalid credentials"}</c> and closes with 1008, a SignalR connection is closed.
/// </summary>
public interface IRevocableConnection
{
    /// <summary>Ends the connection because its user no longer holds the credentials it logged in with. Must not block.</summary>
    void Revoke();
}
