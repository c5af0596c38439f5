namespace Chatter.Server.Limits;

/// <summary>
/// <see cref="IAttemptWindows"/> in this node's memory. A window holds at most its limit of timestamps (a full window
/// takes nothing more), and windows with nothing in the last minute are dropped once a minute, so memory is bounded by
/// the attempts that reached a password check in the last minute.
/// </summary>
internal sealed class MemoryAttemptWindows(TimeProvider time) : IAttemptWindows
{
    /// <summary>The length of every window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly Dictionary<string, List<(DateTimeOffset At, string Attempt)>> windows = new(StringComparer.Ordinal);
    private DateTimeOffset lastSweep = time.GetUtcNow();

    /// <summary>Windows held now (for tests of the bound).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return windows.Count;
            }
        }
    }

    public ValueTask<TimeSpan?> TryReserveAsync(IReadOnlyList<AttemptWindow> keys, string attempt)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            Sweep(now);
            TimeSpan? wait = null;
            foreach (var (key, limit) in keys)
            {
                if (windows.TryGetValue(key, out var entries))
                {
                    entries.RemoveAll(e => now - e.At >= Window);
                    if (entries.Count >= limit)
                    {
                        var free = entries[0].At + Window - now;
                        wait = wait is { } longer && longer > free ? longer : free;
                    }
                }
            }

            if (wait is not null)
            {
                return ValueTask.FromResult(wait);
            }

            foreach (var (key, _) in keys)
            {
                if (!windows.TryGetValue(key, out var entries))
                {
                    windows[key] = entries = [];
                }

                entries.Add((now, attempt));
            }
        }

        return ValueTask.FromResult<TimeSpan?>(null);
    }

    public ValueTask ReleaseAsync(IReadOnlyList<AttemptWindow> keys, string attempt)
    {
        lock (gate)
        {
            foreach (var (key, _) in keys)
            {
                if (windows.TryGetValue(key, out var entries))
                {
                    entries.RemoveAll(e => e.Attempt == attempt);
                    if (entries.Count == 0)
                    {
                        windows.Remove(key);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (now - lastSweep < Window)
        {
            return;
        }

        lastSweep = now;
        foreach (var (key, entries) in windows)
        {
            entries.RemoveAll(e => now - e.At >= Window);
            if (entries.Count == 0)
            {
                windows.Remove(key);
            }
        }
    }
}
