namespace Chatter.Server.Limits;

/// <summary>
/// One login's place in the <see cref="LoginThrottle"/>: refused (<see cref="RetryAfter"/> set), or taken, and then
/// ended exactly once: a success or a login refused before its password was checked gives it back, a failure keeps it.
/// </summary>
internal sealed class LoginAttempt
{
    private readonly LoginThrottle throttle;
    private int ended;

    internal LoginAttempt(LoginThrottle throttle, IReadOnlyList<AttemptWindow> windows, string id, string? name, string? remoteAddress, TimeSpan? retryAfter)
    {
        this.throttle = throttle;
        Windows = windows;
        Id = id;
        Name = name;
        RemoteAddress = remoteAddress;
        RetryAfter = retryAfter;
    }

    /// <summary>Set when the attempt was refused: how long until it may be tried again.</summary>
    public TimeSpan? RetryAfter { get; }

    internal IReadOnlyList<AttemptWindow> Windows { get; }

    internal string Id { get; }

    internal string? Name { get; }

    internal string? RemoteAddress { get; }

    /// <summary>The password was checked: <paramref name="succeeded"/> says whether it was right.</summary>
    public ValueTask CheckedAsync(bool succeeded) => EndAsync(succeeded, checkedPassword: true);

    /// <summary>The login was refused before its password was checked (the server was busy): it does not count.</summary>
    public ValueTask NotCheckedAsync() => EndAsync(succeeded: false, checkedPassword: false);

    private ValueTask EndAsync(bool succeeded, bool checkedPassword)
        => RetryAfter is not null || Interlocked.Exchange(ref ended, 1) == 1
            ? ValueTask.CompletedTask
            : throttle.EndAsync(this, succeeded, checkedPassword);
}
