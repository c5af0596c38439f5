using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

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
        // The hub connection itself writes the raw error frame: today's DeliveryContext is that connection, kept in Items.
        var writer = ChatConnectionFeature.TransportOf(connection) == "raw" && connection.Items.TryGetValue(typeof(DeliveryContext), out var delivery)
            ? delivery as HubConnectionContext
            : null;
        var registration = revocation.Register(connection.UserIdentifier!, new Revocable(connection, writer));
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
    /// A hub connection as <see cref="IRevocableConnection"/>. A raw one first gets <c>{"error":"invalid credentials"}</c>
    /// (a completion without an invocation, which the raw protocol writes as a bare error frame), then the abort, which
    /// its socket pump turns into close 1008; a SignalR one is aborted (its client sees the connection close).
    /// </summary>
    private sealed class Revocable(HubCallerContext connection, HubConnectionContext? rawWriter) : IRevocableConnection
    {
        private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(2);

        public void Revoke() => _ = RevokeAsync();

        private async Task RevokeAsync()
        {
            if (rawWriter is not null)
            {
                using var timeout = new CancellationTokenSource(WriteTimeout);
                try
                {
                    await rawWriter.WriteAsync(CompletionMessage.WithError("", "HubException: " + FrameError.InvalidCredentials), timeout.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or ObjectDisposedException)
                {
                    // A connection that does not take the frame in time (or is already ending) is cut off without it.
                }
            }

            // A raw connection is aborted at its transport: the pump sees its connection closed by the server and closes
            // the socket with 1008 (through the hub, it could take the hub's end for an ordinary one).
            if (rawWriter?.Features.Get<IConnectionLifetimeFeature>() is { } transport)
            {
                transport.Abort();
            }
            else
            {
                connection.Abort();
            }
        }
    }
}
