using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Security.Claims;
using Chatter.Server.Authentication;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The in-process connection that carries a raw client into the hub, and its features, in one object: the
/// authenticated user, text frames, no SignalR keep-alive expected from the client (the WebSocket has its own), the
/// upgrade request, <see cref="ChatConnectionFeature"/>, its send queue and its delivery. Features others set (the Redis backplane sets its own) are
/// kept in a list made when the first one arrives. <see cref="DefaultConnectionContext"/> keeps every feature in a
/// dictionary instead, about 600 bytes more for every idle connection.
/// </summary>
internal sealed class RawConnectionContext : ConnectionContext, IFeatureCollection,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IConnectionUserFeature, IConnectionLifetimeFeature,
    IConnectionEndPointFeature, ITransferFormatFeature, IConnectionInherentKeepAliveFeature, IHttpContextFeature
{
    private static readonly Type[] OwnFeatures =
    [
        typeof(IConnectionIdFeature), typeof(IConnectionTransportFeature), typeof(IConnectionItemsFeature),
        typeof(IConnectionUserFeature), typeof(IConnectionLifetimeFeature), typeof(IConnectionEndPointFeature),
        typeof(ITransferFormatFeature), typeof(IConnectionInherentKeepAliveFeature), typeof(IHttpContextFeature),
        typeof(ChatConnectionFeature), typeof(Outbox), typeof(IDelivery), typeof(IRevocableConnection),
    ];

    // Never disposed, on purpose: Abort cancels it later, on a thread-pool thread, and a source disposed before that
    // would make the queued Cancel throw there, which ends the process. It has no timer, so the GC takes it.
    private readonly CancellationTokenSource closed = new();
    private readonly ChatConnectionFeature chat;
    private readonly Outbox queue;
    private readonly IRevocableConnection revocable;
    private IDelivery? delivery;
    private List<KeyValuePair<Type, object?>>? others;
    private int revision;

    public RawConnectionContext(HttpContext upgrade, IDuplexPipe transport, ClaimsPrincipal user, ChatConnectionFeature chat, Outbox queue, IRevocableConnection revocable)
    {
        ConnectionId = upgrade.TraceIdentifier;
        Transport = transport;
        User = user;
        HttpContext = upgrade;
        this.chat = chat;
        this.queue = queue;
        this.revocable = revocable;
        ConnectionClosed = closed.Token;
        RemoteEndPoint = upgrade.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, upgrade.Connection.RemotePort) : null;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => this;

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public ClaimsPrincipal? User { get; set; }

    public HttpContext? HttpContext { get; set; }

    public TransferFormat SupportedFormats => TransferFormat.Text;

    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    public bool HasInherentKeepAlive => true;

    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => revision;

    object? IFeatureCollection.this[Type key]
    {
        get => Find(key);
        set
        {
            revision++;
            if (key == typeof(IDelivery) && value is IDelivery set)
            {
                // Set by the delivery for every connection: kept in a field of its own rather than the list.
                delivery = set;
                return;
            }

            others ??= [];
            var index = others.FindIndex(feature => feature.Key == key);
            if (index >= 0)
            {
                others[index] = new(key, value);
            }
            else
            {
                others.Add(new(key, value));
            }
        }
    }

    /// <summary>Ends the connection: <c>ConnectionClosed</c> fires on a thread-pool thread, as <see cref="DefaultConnectionContext"/>'s does.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
        => ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), closed, preferLocal: false);

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)Find(typeof(TFeature));

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => ((IFeatureCollection)this)[typeof(TFeature)] = instance;

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        foreach (var type in OwnFeatures)
        {
            if (Find(type) is { } feature)
            {
                yield return new(type, feature);
            }
        }

        foreach (var (type, feature) in others ?? [])
        {
            if (feature is not null && Own(type) is null)
            {
                yield return new(type, feature);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();

    /// <summary>A feature set by someone else (or a replaced or removed own one), else the own one.</summary>
    private object? Find(Type key)
    {
        if (others is not null)
        {
            foreach (var (type, feature) in others)
            {
                if (type == key)
                {
                    return feature;
                }
            }
        }

        return Own(key);
    }

    private object? Own(Type key)
        => key == typeof(ChatConnectionFeature) ? chat
            : key == typeof(Outbox) ? queue
            : key == typeof(IDelivery) ? delivery
            : key == typeof(IRevocableConnection) ? revocable
            : Array.IndexOf(OwnFeatures, key) >= 0 ? this : null;
}
