using System.ComponentModel.DataAnnotations;
using Chatter.Protocol;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Hosting;

/// <summary>Chatter's settings, bound from the <c>Chatter</c> configuration section and validated at start.</summary>
public sealed class ChatterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter";

    /// <summary>The users file (<c>{"name":"password"}</c>), relative to the working directory. Default <c>users.json</c>.</summary>
    [Required]
    public string UsersFile { get; set; } = "users.json";

    /// <summary>Seconds a raw client has to send its login frame. Default 10.</summary>
    [Range(1, 3600)]
    public int AuthTimeoutSeconds { get; set; } = 10;

    /// <summary>The longest message, in characters (UTF-16 code units). Default 4000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageChars { get; set; } = ChatRules.DefaultMaxMessageChars;

    /// <summary>The largest raw WebSocket message, in bytes, all fragments together; larger closes with 1009. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>History settings (<c>Chatter:History</c>).</summary>
    [ValidateObjectMembers]
    public HistoryOptions History { get; set; } = new();

    /// <summary>Bearer token settings (<c>Chatter:Token</c>).</summary>
    [ValidateObjectMembers]
    public TokenOptions Token { get; set; } = new();

    /// <summary>Abuse and resource limits (<c>Chatter:Limits</c>).</summary>
    [ValidateObjectMembers]
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>
    /// Browser origins (<c>https://chat.example.com</c>) allowed to open <c>/ws/chat</c>, the hub or
    /// <c>/api/token</c>. Empty (default): any. When set, a request whose <c>Origin</c> is neither listed nor the
    /// server's own is refused with 403; requests without <c>Origin</c> (programs, not browsers) are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Metrics (<c>Chatter:Metrics</c>).</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Log output (<c>Chatter:Logging</c>).</summary>
    [ValidateObjectMembers]
    public LoggingOptions Logging { get; set; } = new();

    /// <summary>Redis, for several nodes serving one chat (<c>Chatter:Redis</c>).</summary>
    [ValidateObjectMembers]
    public RedisOptions Redis { get; set; } = new();

    /// <summary>
    /// Seconds a stopping node (SIGTERM, Ctrl-C) has to close its connections and finish storing what it accepted
    /// before it exits (the host's shutdown timeout). Default 10.
    /// </summary>
    [Range(1, 3600)]
    public int ShutdownDrainSeconds { get; set; } = 10;

    /// <summary>The history store in use: <see cref="HistoryOptions.Store"/>, or its default (<c>redis</c> when Redis is configured, else <c>sqlite</c>).</summary>
    public string HistoryStore => History.Store ?? (Redis.IsConfigured ? "redis" : "sqlite");
}

/// <summary><c>Chatter:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Serves Chatter's, ASP.NET Core's, Kestrel's and the runtime's metrics in Prometheus format on <c>/metrics</c>.
    /// Default false (no endpoint).
    /// </summary>
    public bool Enabled { get; set; }
}

/// <summary><c>Chatter:Logging</c>.</summary>
public sealed class LoggingOptions
{
    /// <summary>
    /// Console log format: <c>text</c> (default, for people), <c>json</c> (Serilog's compact JSON, one event a
    /// line, for Loki, Elastic or Seq) or <c>none</c> (no console; sinks under <c>Serilog:WriteTo</c> still write).
    /// </summary>
    [Required]
    [RegularExpression("^(text|json|none)$")]
    public string Format { get; set; } = "text";
}

/// <summary><c>Chatter:History</c>.</summary>
public sealed class HistoryOptions
{
    /// <summary>
    /// <c>sqlite</c>: a file that survives restarts; <c>memory</c>: the original's in-memory history; <c>redis</c>: shared by
    /// every node on <c>Chatter:Redis:Configuration</c>. Unset (default): <c>redis</c> when Redis is configured, else <c>sqlite</c>
    /// (see <see cref="ChatterOptions.HistoryStore"/>).
    /// </summary>
    [RegularExpression("^(sqlite|memory|redis)$")]
    public string? Store { get; set; }

    /// <summary>The SQLite file, relative to the working directory. Default <c>chatter.db</c>.</summary>
    [Required]
    public string Path { get; set; } = "chatter.db";

    /// <summary>Messages older than this many days are removed in the background; 0 (default) keeps them.</summary>
    [Range(0, 36_500)]
    public int MaxAgeDays { get; set; }

    /// <summary>How long a write waits for a locked database before the message is refused, in seconds. Default 5.</summary>
    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// SQLite durability: <c>full</c> (default; every acknowledged message is on disk, it survives a power loss) or
    /// <c>normal</c> (no fsync per commit; an acknowledged message survives a crash of Chatter, not of the machine).
    /// </summary>
    [Required]
    [RegularExpression("^(full|normal)$")]
    public string Synchronous { get; set; } = "full";

    /// <summary>Seconds between background retention runs. Default 60.</summary>
    [Range(1, 86_400)]
    public int PruneIntervalSeconds { get; set; } = 60;

    /// <summary>Messages kept per thread; the oldest are dropped. Default 10,000.</summary>
    [Range(1, 100_000_000)]
    public int MaxPerThread { get; set; } = 10_000;

    /// <summary>Messages replayed on login, newest of each thread. Default 100.</summary>
    [Range(0, 100_000)]
    public int ReplayLimit { get; set; } = 100;

    /// <summary>Messages replayed on login in all, the newest. Default 1,000.</summary>
    [Range(0, 100_000)]
    public int ReplayMaxTotal { get; set; } = 1_000;
}

/// <summary><c>Chatter:Token</c>.</summary>
public sealed class TokenOptions
{
    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes; <c>openssl rand -base64 32</c>) that signs bearer tokens. Empty
    /// (default): a random key per process, so tokens do not survive a restart; allowed only without Redis and with a
    /// node-local store (<see cref="SigningKeyValidator"/>), since nodes must accept each other's tokens.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a token is valid, in minutes. Default 60.</summary>
    [Range(1, 60 * 24 * 30)]
    public int LifetimeMinutes { get; set; } = 60;
}

/// <summary><c>Chatter:Limits</c>. For every limit, 0 turns it off.</summary>
public sealed class LimitsOptions
{
    /// <summary>
    /// Failed logins allowed for one user name from one remote address in any minute (sliding); past it logins for
    /// that name from that address are refused with <c>too many attempts</c> until the window slides. Default 5.
    /// An attempt counts from before its password is checked, and stops counting when it succeeds (see README, Security).
    /// </summary>
    [Range(0, 1_000_000)]
    public int FailedLoginsPerMinute { get; set; } = 5;

    /// <summary>
    /// Failed logins allowed from one remote address across all names in any minute (password spraying); it does not
    /// apply to a name that has logged in from that address before. Default 20.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FailedLoginsPerAddressPerMinute { get; set; } = 20;

    /// <summary>
    /// Failed logins allowed for one user name in any minute from all the addresses it has never logged in from
    /// (many addresses guessing one name); the addresses it has logged in from are not affected. Default 10.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FailedLoginsPerNamePerMinute { get; set; } = 10;

    /// <summary>
    /// Password checks (PBKDF2) this node runs at once; a login past it is refused at once with <c>server busy</c>
    /// (raw: close 1013; <c>/api/token</c>: 503 with Retry-After), never queued. 0 (default): twice the processor count.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConcurrentPasswordChecks { get; set; }

    /// <summary>
    /// WebSocket connections to <c>/ws/chat</c> one remote address may hold before they have logged in; past it the
    /// upgrade is refused with 429. Default 16.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxUnauthenticatedPerAddress { get; set; } = 16;

    /// <summary>
    /// WebSocket connections to <c>/ws/chat</c> this node holds before they have logged in, from all addresses; past it
    /// the upgrade is refused with 503. Default 1,000.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxUnauthenticated { get; set; } = 1_000;

    /// <summary>Hub calls (raw frames) one connection may make per second, on average; with Redis, one user on all nodes together. Default 20.</summary>
    [Range(0, 1_000_000)]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Calls one connection (with Redis: one user) may make at once after a quiet spell (the token bucket's size). Default 40.</summary>
    [Range(0, 1_000_000)]
    public int MessageBurst { get; set; } = 40;

    /// <summary>Connections (raw and SignalR) this node holds at most; past it logins are refused. Default 10,000.</summary>
    [Range(0, 10_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Connections one user may hold at once on this node; with Redis, on all nodes together. Default 32.</summary>
    [Range(0, 1_000_000)]
    public int MaxConnectionsPerUser { get; set; } = 32;

    /// <summary>
    /// Seconds between keep-alive pings to each WebSocket (raw: WebSocket ping frames; SignalR: hub pings).
    /// Default 15.
    /// </summary>
    [Range(0, 3600)]
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// Seconds a peer has to answer a ping (raw) or to send anything (SignalR, counted from the last ping) before it
    /// is taken for dead and disconnected. Default 15.
    /// </summary>
    [Range(0, 3600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Messages queued to one connection that it has not yet taken; past this the connection is a slow
    /// consumer and is closed, so it never holds back the others. Default 8,192; at least 1 (there is no "unbounded").
    /// </summary>
    [Range(1, 1_000_000)]
    public int OutboundBufferMessages { get; set; } = 8_192;

    /// <summary>
    /// Bytes buffered towards one connection before its writes wait (SignalR's transport buffer; for every connection, the
    /// most its replay queues ahead of the socket). Waiting writes queue, bounded by <see cref="OutboundBufferMessages"/>.
    /// Default 1 MiB; at least 1 KiB.
    /// </summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int OutboundBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes queued to all connections of the node together; when spent, a connection that is behind (has messages
    /// waiting) is closed as a slow consumer, so thousands of stalled readers cannot exhaust memory. Default 256 MiB;
    /// at least 64 KiB.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long OutboundBudgetBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Seconds one send to a connection may take (a reader that stopped reading keeps its socket full); past it that
    /// connection alone is aborted. Default 30.
    /// </summary>
    [Range(1, 3600)]
    public int SendTimeoutSeconds { get; set; } = 30;
}

/// <summary><c>Chatter:Redis</c>: one Redis shared by the nodes of a deployment, for the SignalR backplane and the history.</summary>
public sealed class RedisOptions
{
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

/// <summary>The checks of the attributes above, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedChatterOptionsValidator : IValidateOptions<ChatterOptions>;

/// <summary>
/// Checks <see cref="ChatterOptions"/> at start and names each bad value by its configuration key
/// (<c>Chatter:History:ReplayLimit</c>), the name a user sets it by.
/// </summary>
public sealed partial class ChatterOptionsValidator : IValidateOptions<ChatterOptions>
{
    private readonly GeneratedChatterOptionsValidator generated = new();

    public ValidateOptionsResult Validate(string? name, ChatterOptions options)
    {
        var result = generated.Validate(name, options);
        if (result.Succeeded || result.Failures is null)
        {
            return result;
        }

        // The generated failures read "ReplayLimit: The field ChatterOptions.History.ReplayLimit must be ...".
        return ValidateOptionsResult.Fail(result.Failures.Select(failure =>
            MemberPath().Match(failure) is { Success: true } member
                ? $"{ChatterOptions.Section}:{member.Groups[1].Value.Replace('.', ':')} is invalid: {failure[(failure.IndexOf(": ", StringComparison.Ordinal) + 2)..]}"
                : failure));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"ChatterOptions\.([\w.]+?)(?= must|\s|$)")]
    private static partial System.Text.RegularExpressions.Regex MemberPath();
}
