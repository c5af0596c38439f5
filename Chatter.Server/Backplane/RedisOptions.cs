using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Backplane;

/// <summary><c>Chatter:Redis</c>: one Redis shared by the nodes of a deployment, for the SignalR backplane and the history.</summary>
public sealed class RedisOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis.example:6379,password=...</c>. Empty (default): a single
    /// node, no backplane. When set, the nodes broadcast through Redis and history defaults to Redis.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Prefix of every channel and key Chatter uses, so several deployments can share one Redis. Default <c>chatter</c>.
    /// </summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.\-]{1,64}$")]
    public string ChannelPrefix { get; set; } = "chatter";

    /// <summary>Milliseconds a Redis command (or a connection attempt) may take before it fails; failures are answered at once while Redis is down. Default 5,000.</summary>
    [Range(100, 60_000)]
    public int TimeoutMilliseconds { get; set; } = 5_000;

    /// <summary>True when <see cref="Configuration"/> is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);
}
