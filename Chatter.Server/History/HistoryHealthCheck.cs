using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chatter.Server.History;

/// <summary><c>/readyz</c>: healthy while the history store answers.</summary>
internal sealed class HistoryHealthCheck(IChatHistory history) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await history.CheckAsync(cancellationToken);
            return HealthCheckResult.Healthy("history store reachable");
        }
        catch (ChatHistoryException ex)
        {
            return HealthCheckResult.Unhealthy("history store unreachable", ex);
        }
    }
}
