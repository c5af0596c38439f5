using Chatter.Server.Authentication;
using Chatter.Server.Delivery;
using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Limits;

/// <summary>
/// Registers every hub connection, raw and SignalR, with <see cref="UserRevocation"/> for its lifetime, so that a user
/// removed from <c>users.json</c> (or whose password changed) is cut off on this node at once.
/// </summary>
internal sealed class RevocationHubFilter(UserRevocation revocation) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var connection = context.Context;
        // A raw connection revokes itself (its error frame, then close 1008, through its socket's one writer); a SignalR
        // connection is refused (its client's connection closes with the reason).
        var registration = revocation.Register(connection.UserIdentifier!, connection.Features.Get<IRevocableConnection>() ?? new Refusing(connection));
        connection.Items[typeof(RevocationHubFilter)] = registration;
        try
        {
            await next(context);
        }
        catch
        {
            // OnDisconnectedAsync does not run after a failed OnConnectedAsync.
            registration.Dispose();
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            (context.Context.Items.TryGetValue(typeof(RevocationHubFilter), out var registration) ? registration as IDisposable : null)?.Dispose();
        }
    }

    /// <summary>
    /// A SignalR connection as <see cref="IRevocableConnection"/>: after what is queued, a close whose error is the
    /// reason (<see cref="IDelivery.Refuse"/>), then the connection ends (a client that does not read meets the send timeout).
    /// </summary>
    private sealed class Refusing(HubCallerContext connection) : IRevocableConnection
    {
        private int revoked;

        public void Revoke(string reason)
        {
            if (Interlocked.Exchange(ref revoked, 1) != 0)
            {
                return;
            }

            if (connection.Features.Get<IDelivery>() is { } delivery)
            {
                delivery.Refuse(reason);
            }
            else
            {
                connection.Abort();
            }
        }
    }
}
