using Chatter.Server.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The hub's protocols: SignalR's own (JSON, MessagePack), each writing the hub's answers as SignalR clients expect them
/// (<see cref="AnswerProtocol"/>), and <c>chatter-raw</c>, the in-process protocol of <c>/ws/chat</c> connections. A
/// SignalR client that asks for <c>chatter-raw</c> is refused at the handshake ("protocol not supported"), before it is
/// listed anywhere: the hub's endpoint marks its requests (<see cref="SignalRClientScope"/>). Outside those requests
/// (the raw adapter, and the backplane, which serializes each broadcast for every protocol) it is offered.
/// </summary>
public sealed class RawProtocolResolver : IHubProtocolResolver
{
    private readonly RawHubProtocol raw;
    private readonly IHubProtocol[] signalR;

    public RawProtocolResolver(IEnumerable<IHubProtocol> protocols, RawHubProtocol raw)
    {
        this.raw = raw;
        signalR = [.. protocols.Where(protocol => protocol.Name != raw.Name).Select(protocol => new AnswerProtocol(protocol))];
        AllProtocols = [.. signalR, raw];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols)
    {
        if (protocolName == raw.Name)
        {
            return SignalRClientScope.IsActive ? null : raw;
        }

        if (supportedProtocols is not null && !supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return Array.Find(signalR, protocol => string.Equals(protocol.Name, protocolName, StringComparison.OrdinalIgnoreCase));
    }
}
