using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>The base class needs a <see cref="ConnectionContext"/>: this one shows the real connection's (of a <see cref="DeliveryConnection"/>).</summary>
internal sealed class ConnectionView(HubConnectionContext connection) : ConnectionContext
{
    public override string ConnectionId
    {
        get => connection.ConnectionId;
        set => throw new NotSupportedException();
    }

    public override IFeatureCollection Features => connection.Features;

    public override IDictionary<object, object?> Items
    {
        get => connection.Items;
        set => throw new NotSupportedException();
    }

    public override System.IO.Pipelines.IDuplexPipe Transport
    {
        get => connection.Features.Get<IConnectionTransportFeature>()!.Transport;
        set => throw new NotSupportedException();
    }
}
