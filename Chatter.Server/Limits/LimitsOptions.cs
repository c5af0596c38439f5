using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Limits;

/// <summary>
/// <c>Chatter:Limits</c>. For every limit, 0 turns it off. The same section holds the delivery limits
/// (<see cref="Delivery.DeliveryOptions"/>).
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:Limits";

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
}
