using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Bounds the password checks (PBKDF2, about 0.2 s of a core each at the default cost) that run at once
/// (<c>Chatter:Limits:MaxConcurrentPasswordChecks</c>, default twice the processor count). A login past the bound is
/// refused at once with <c>server busy</c> rather than queued, so a flood of guesses cannot take every core and thread.
/// </summary>
internal sealed class PasswordChecks(IOptions<LimitsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim slots = new(Bound(options.Value));

    /// <summary>The bound in use.</summary>
    public static int Bound(LimitsOptions limits)
        => limits.MaxConcurrentPasswordChecks > 0 ? limits.MaxConcurrentPasswordChecks : 2 * Environment.ProcessorCount;

    /// <summary>Runs <paramref name="check"/> when a slot is free now; null (and nothing run) when none is.</summary>
    public bool? TryRun(Func<bool> check)
    {
        if (!slots.Wait(0))
        {
            return null;
        }

        try
        {
            return check();
        }
        finally
        {
            slots.Release();
        }
    }

    public void Dispose() => slots.Dispose();
}
