using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Chatter.Server.Health;

/// <summary>The node's health: the shutdown check, <c>/healthz</c> (liveness) and <c>/readyz</c> (readiness).</summary>
public static class HealthExtensions
{
    /// <summary>
    /// The <c>shutdown</c> check (unhealthy while the node drains). The components register their own checks (the store,
    /// Redis) before it.
    /// </summary>
    public static WebApplicationBuilder AddChatterHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown");
        return builder;
    }

    /// <summary>
    /// <c>/healthz</c>: liveness, the process answers and has not failed itself (no dependency is asked, only the checks
    /// tagged <see cref="HealthTags.Liveness"/>); <c>/readyz</c>: readiness, every check (store, backplane, not draining).
    /// </summary>
    public static WebApplication MapChatterHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Liveness) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        return app;
    }
}
