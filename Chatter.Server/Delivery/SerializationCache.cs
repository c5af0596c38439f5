using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.Delivery;

/// <summary>
/// The bytes of the broadcasts being fanned out now, per protocol, without a lock: <see cref="SerializedHubMessage"/>
/// serializes once per protocol but takes a lock on every lookup, once per recipient. A broadcast goes to its
/// recipients one after another, so a few slots, each replaced whole (never torn), hold the messages in flight.
/// </summary>
public sealed class SerializationCache
{
    private const int Slots = 32;

    private readonly Entry?[] slots = new Entry?[Slots];

    /// <summary>The bytes of <paramref name="message"/> in <paramref name="protocol"/>, made at most once per message and protocol.</summary>
    public ReadOnlyMemory<byte> BytesOf(SerializedHubMessage message, IHubProtocol protocol)
    {
        ref var slot = ref slots[(RuntimeHelpers.GetHashCode(message) ^ RuntimeHelpers.GetHashCode(protocol)) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && ReferenceEquals(entry.Message, message) && ReferenceEquals(entry.Protocol, protocol))
        {
            return entry.Bytes;
        }

        var bytes = message.GetSerializedMessage(protocol);
        Volatile.Write(ref slot, new Entry(message, protocol, bytes));
        return bytes;
    }

    private sealed record Entry(SerializedHubMessage Message, IHubProtocol Protocol, ReadOnlyMemory<byte> Bytes);
}
