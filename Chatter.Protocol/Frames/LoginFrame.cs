namespace Chatter.Protocol.Frames;

/// <summary>The raw client's first frame: <c>{"username":"...","password":"...","since":17,"v":2,"epoch":"..."}</c>.</summary>
/// <param name="Username">The user name from <c>users.json</c>.</param>
/// <param name="Password">The password; never logged.</param>
/// <param name="Since">When set, replay only messages with a greater id (recovery after a reconnect).</param>
/// <param name="Version">
/// The protocol version the client speaks: 1 (the original's, when absent) or 2, which opts in to the frames the server
/// starts (the recovery answer, checkpoints).
/// </param>
/// <param name="Epoch">The store epoch <paramref name="Since"/> belongs to, from an earlier recovery answer; null when not given.</param>
public sealed record LoginFrame(string Username, string Password, long? Since, int Version = 1, string? Epoch = null)
{
    /// <summary>The highest protocol version this server speaks.</summary>
    public const int LatestVersion = 2;

    /// <summary>Hides the password from logs and debugger displays.</summary>
    public override string ToString() => $"LoginFrame {{ Username = {Username}, Since = {Since}, Version = {Version}, Epoch = {Epoch} }}";
}
