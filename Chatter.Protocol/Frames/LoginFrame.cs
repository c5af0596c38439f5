namespace Chatter.Protocol.Frames;

/// <summary>The raw client's first frame: <c>{"username":"...","password":"...","since":17}</c>.</summary>
/// <param name="Username">The user name from <c>users.json</c>.</param>
/// <param name="Password">The password; never logged.</param>
/// <param name="Since">When set, replay only messages with a greater id (recovery after a reconnect).</param>
public sealed record LoginFrame(string Username, string Password, long? Since)
{
    /// <summary>Hides the password from logs and debugger displays.</summary>
    public override string ToString() => $"LoginFrame {{ Username = {Username}, Since = {Since} }}";
}
