using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// What the hub needs of the in-process connection that carries a raw client, in one object: text frames,
/// no SignalR keep-alive expected from the client (the WebSocket has its own), and the upgrade request.
/// </summary>
internal sealed class RawConnectionFeatures(HttpContext upgradeRequest)
    : ITransferFormatFeature, IConnectionInherentKeepAliveFeature, IHttpContextFeature
{
    public TransferFormat SupportedFormats => TransferFormat.Text;

    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    public bool HasInherentKeepAlive => true;

    public HttpContext? HttpContext { get; set; } = upgradeRequest;
}
