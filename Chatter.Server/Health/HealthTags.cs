namespace Chatter.Server.Health;

/// <summary>The tags that choose which health checks an endpoint runs.</summary>
public static class HealthTags
{
    /// <summary>The tag of the checks <c>/healthz</c> runs: the process's own failures, never a dependency's.</summary>
    public const string Liveness = "liveness";
}
