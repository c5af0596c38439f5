using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>Told of every hub connection the lifetime manager lists and unlists (the shutdown drain keeps its SignalR ones).</summary>
public interface IHubConnectionObserver
{
    void Connected(HubConnectionContext connection);

    void Disconnected(HubConnectionContext connection);
}
