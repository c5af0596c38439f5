using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>
/// One entry of a connection's <see cref="Outbox"/>: a message serialized for the connection's protocol.
/// <see cref="Message"/> is the shared serialization cache of a broadcast (its bytes are made once per protocol, not
/// once per recipient); <see cref="Bytes"/> are the bytes the connection's protocol made of it (counted against the
/// queue's and the node's bounds); <see cref="Pooled"/>, when set, is a rented array behind <see cref="Bytes"/>
/// that goes back to the shared pool once sent. <see cref="Counted"/> is set by the queue when the bytes were taken from
/// the node's <see cref="OutboundBudget"/> (only behind others, see <see cref="Outbox.TryEnqueue"/>).
/// </summary>
public readonly record struct Outbound(SerializedHubMessage? Message, ReadOnlyMemory<byte> Bytes, byte[]? Pooled = null)
{
    public bool Counted { get; init; }
}
