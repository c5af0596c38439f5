namespace Chatter.Server.Diagnostics;

/// <summary><c>Chatter:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:Metrics";

    /// <summary>
    /// Serves Chatter's, ASP.NET Core's, Kestrel's and the runtime's metrics in Prometheus format on <c>/metrics</c>.
    /// Default false (no endpoint).
    /// </summary>
    public bool Enabled { get; set; }
}
