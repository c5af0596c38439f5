using Chatter.Server.Authentication;
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
        // connection is aborted (its client sees the connection close).
        var registration = revocation.Register(connection.UserIdentifier!, connection.Features.Get<IRevocableConnection>() ?? new Aborting(connection));
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

    /// <summary>A SignalR connection as <see cref="IRevocableConnection"/>: aborted.</summary>
    private sealed class Aborting(HubCallerContext connection) : IRevocableConnection
    {
        public void Revoke() => connection.Abort();
    }
}
