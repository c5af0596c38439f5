using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Hubs;

/// <summary><c>Chatter:SignalR</c>: what <c>/hubs/chat</c> offers SignalR clients beyond the hub methods.</summary>
public sealed class SignalROptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:SignalR";

    /// <summary>
    /// Allows SignalR's stateful reconnect (a client built with <c>WithStatefulReconnect()</c>): when the client's
    /// WebSocket drops, the same connection resumes on a new one and the messages the client had not acknowledged are
    /// sent again, none lost and none twice. Clients that do not ask for it are unaffected. Default true.
    /// </summary>
    public bool StatefulReconnect { get; set; } = true;

    /// <summary>
    /// Bytes the server keeps, per connection that uses stateful reconnect, of the messages its client has not yet
    /// acknowledged (SignalR's <c>HubOptions.StatefulReconnectBufferSize</c>). Past it the connection's sends wait for an
    /// acknowledgement (clients acknowledge once a second; a client silent for 5 s while the buffer is full is
    /// dropped), so it must hold about one second of what one client receives. Default 1 MiB (SignalR's own default is
    /// 100,000 bytes); 1 KiB to 64 MiB.
    /// </summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long StatefulReconnectBufferBytes { get; set; } = 1024 * 1024;
}
