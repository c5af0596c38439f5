namespace Chatter.Server.Authentication;

/// <summary>
/// The lock that lets one <c>users</c> command at a time read and rewrite a users file: <c>PATH.lock</c> beside the
/// file (beside its target, when the file is a symbolic link, so that commands reaching it by either path share one
/// lock), held open with <see cref="FileShare.None"/>, which .NET takes as an exclusive <c>flock</c> on Unix. The lock
/// file is never deleted: deleting it on release would let a second command lock a new file of the same name while a
/// third still held the unlinked one.
/// </summary>
internal static class UsersFileLock
{
    /// <summary>How long a command waits for another one to finish before it gives up. 30 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The lock file of the users file at <paramref name="usersPath"/>.</summary>
    public static string PathOf(string usersPath) => UsersFile.TargetOf(usersPath) + ".lock";

    /// <summary>
    /// Holds the lock until the result is disposed. While another command holds it, <paramref name="waiting"/> is called
    /// once and the lock is tried again until <paramref name="timeout"/>; then a <see cref="TimeoutException"/>.
    /// </summary>
    public static IDisposable Acquire(string usersPath, TimeSpan timeout, Action waiting)
    {
        var path = PathOf(usersPath);
        var started = TimeProvider.System.GetTimestamp();
        var reported = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException ex) when (IsHeldByAnother(ex))
            {
                if (TimeProvider.System.GetElapsedTime(started) >= timeout)
                {
                    throw new TimeoutException($"another users command held the lock file {path} for {timeout.TotalSeconds:0} seconds; nothing was changed", ex);
                }

                if (!reported)
                {
                    waiting();
                    reported = true;
                }

                // A command line tool waiting for another one: the lock gives no notice of its release, so poll.
                Thread.Sleep(RetryInterval);
            }
        }
    }

    // Windows: ERROR_SHARING_VIOLATION. Unix: flock's EWOULDBLOCK, which .NET passes on as the HResult (11 on Linux, 35 on macOS and the BSDs).
    private static bool IsHeldByAnother(IOException ex)
        => OperatingSystem.IsWindows() ? ex.HResult == unchecked((int)0x80070020) : ex.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
}
