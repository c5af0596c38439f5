using Microsoft.Extensions.Options;

namespace Chatter.Server.Delivery;

/// <summary>Makes each connection's <see cref="Outbox"/> with the node's bounds (<see cref="DeliveryOptions"/>) and budget.</summary>
public sealed class OutboxFactory(IOptions<DeliveryOptions> options, OutboundBudget budget, TimeProvider time)
{
    /// <summary>The most messages one connection may have waiting (its queue, and the live messages held during its replay).</summary>
    public int MaxMessages => options.Value.OutboundBufferMessages;

    /// <summary>A new, empty send queue for one connection.</summary>
    public Outbox Create() => new(options.Value.OutboundBufferMessages, options.Value.OutboundBufferBytes, budget, time);
}
