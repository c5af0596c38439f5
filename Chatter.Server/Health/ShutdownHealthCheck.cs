using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chatter.Server.Health;

/// <summary>
/// <c>/readyz</c>: unhealthy once the node is shutting down, so a load balancer stops sending it new clients
/// while it drains.
/// </summary>
internal sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy("accepting clients"));
}
