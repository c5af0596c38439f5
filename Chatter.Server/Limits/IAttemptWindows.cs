namespace Chatter.Server.Limits;

/// <summary>
/// Sliding one-minute windows of login attempts, one per key (an address, a name, an address and a name). An attempt is
/// reserved in all of its windows at once, before its password is checked, and only when every window has room; a
/// reservation that turns out a success is released (only failures stay counted). So N parallel guesses reserve at most
/// the limit, and the check and the count are one step. Two stores: this node's memory, and Redis for all nodes.
/// </summary>
internal interface IAttemptWindows
{
    /// <summary>
    /// Reserves <paramref name="attempt"/> in every window, or in none: null when reserved, otherwise how long until
    /// the fullest window has room.
    /// </summary>
    ValueTask<TimeSpan?> TryReserveAsync(IReadOnlyList<AttemptWindow> windows, string attempt);

    /// <summary>Takes a reservation back (a successful login, or one refused before its password was checked).</summary>
    ValueTask ReleaseAsync(IReadOnlyList<AttemptWindow> windows, string attempt);
}

/// <summary>One window: its key and how many attempts it holds in any minute.</summary>
internal readonly record struct AttemptWindow(string Key, int Limit);
