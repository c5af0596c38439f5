using System.Runtime.InteropServices;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Tests.RawWebSocket;

/// <summary>
/// SignalR asks each connection's protocol for the ping's bytes at the handshake and keeps them as long as the
/// connection lives: a raw connection has no ping frame, and its empty bytes must hold no buffer.
/// </summary>
public class RawHubProtocolPingTests
{
    [Test]
    public void PingHasNoRawBytesAndHoldsNoBuffer()
    {
        var bytes = new RawHubProtocol().GetMessageBytes(PingMessage.Instance);

        Assert.That(bytes.IsEmpty, Is.True);
        var held = MemoryMarshal.TryGetArray(bytes, out var segment) ? segment.Array?.Length ?? 0 : 0;
        Assert.That(held, Is.Zero, "bytes held behind the empty ping");
    }
}
