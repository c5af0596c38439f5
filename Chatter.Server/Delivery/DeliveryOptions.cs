using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Delivery;

/// <summary>
/// The delivery limits, in <c>Chatter:Limits</c> beside the abuse limits (<c>Limits.LimitsOptions</c>): each connection's
/// send queue, the node's outbound budget and the send timeout. None of them can be turned off.
/// </summary>
public sealed class DeliveryOptions
{
    /// <summary>The configuration section (shared with the abuse limits).</summary>
    public const string Section = "Chatter:Limits";

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
