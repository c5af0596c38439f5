using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chatter.Server.History;

/// <summary>
/// <c>/healthz</c> (liveness) and <c>/readyz</c>: unhealthy once the SQLite or PostgreSQL store's writer has stopped. That is not a
/// dependency that may come back but this process's own failure (nothing is stored until it restarts), so liveness fails
/// and an orchestrator restarts the node. Healthy for the other stores, which have no writer of their own,
/// and while PostgreSQL is only unreachable (that is readiness: the writer goes on and serves again when it returns).
/// </summary>
internal sealed class HistoryWriterHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult((services.GetService<SqliteChatHistory>()?.Writer.Fault ?? services.GetService<PostgresChatHistory>()?.Writer.Fault) is { } fault
            ? HealthCheckResult.Unhealthy("the history writer has stopped; restart the node", fault)
            : HealthCheckResult.Healthy("history writer running"));
}
