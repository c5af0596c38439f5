using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Chatter.Server.Backplane;

/// <summary>
/// Healthy while Redis (the backplane every broadcast crosses) answers a PING within <c>Chatter:Redis:TimeoutMilliseconds</c>.
/// Registered under <see cref="Name"/> with the <see cref="Tag"/> tag whenever Redis is configured, so any health endpoint
/// can include it.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    /// <summary>The check's registration name.</summary>
    public const string Name = "redis";

    /// <summary>The tag of the checks a node needs to serve (history store, backplane).</summary>
    public const string Tag = "serving";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("redis reachable");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("redis unreachable", ex);
        }
    }
}
