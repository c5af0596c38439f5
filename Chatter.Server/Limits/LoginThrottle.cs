using System.Threading.RateLimiting;
using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Limits failed logins per remote address and per user name (<c>Chatter:Limits:FailedLoginsPerMinute</c>, a
/// sliding minute). Only failures count, so people who type their password right are never slowed; but once an
/// address or a name is over the limit, every login for it is refused, right or wrong, until the window slides,
/// so a guesser learns nothing from a correct guess. Checked before the password, so refused guesses cost no hashing.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    private const int Segments = 6;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string>? failures;

    public LoginThrottle(IOptions<ChatterOptions> options)
    {
        var perMinute = options.Value.Limits.FailedLoginsPerMinute;
        if (perMinute > 0)
        {
            // One sliding window per address and per name; idle ones are dropped by the limiter itself.
            failures = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = Window,
                SegmentsPerWindow = Segments,
                QueueLimit = 0,
            }));
        }
    }

    /// <summary>
    /// Null when a login from <paramref name="remoteAddress"/> for <paramref name="user"/> may be tried now; otherwise
    /// how long until it may.
    /// </summary>
    public TimeSpan? Check(string? remoteAddress, string? user)
    {
        if (failures is null)
        {
            return null;
        }

        return Blocked(AddressKey(remoteAddress)) ?? (user is null ? null : Blocked(UserKey(user)));
    }

    /// <summary>Counts a failed login against the address and, when given, the user name.</summary>
    public void Failed(string? remoteAddress, string? user)
    {
        if (failures is null)
        {
            return;
        }

        failures.AttemptAcquire(AddressKey(remoteAddress)).Dispose();
        if (user is not null)
        {
            failures.AttemptAcquire(UserKey(user)).Dispose();
        }
    }

    public void Dispose() => failures?.Dispose();

    private TimeSpan? Blocked(string key)
    {
        // Zero permits: asks whether any are left without taking one.
        using var lease = failures!.AttemptAcquire(key, permitCount: 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero
            ? retryAfter
            : Window / Segments;
    }

    private static string AddressKey(string? remoteAddress) => "address:" + (remoteAddress ?? "unknown");

    private static string UserKey(string user) => "user:" + user;
}
