using Microsoft.AspNetCore.SignalR;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>The hub's presence: who is online, the subscription to joins and leaves, and each connection counted in and out.</summary>
public sealed partial class ChatHub
{
    /// <summary>The group of connections that asked for presence events.</summary>
    public const string PresenceGroup = "presence";

    /// <summary>The users online (on every node, with Redis), in ordinal order.</summary>
    public async Task<HubAnswer<string[]>> GetOnlineUsers()
    {
        try
        {
            return await presence.OnlineAsync();
        }
        catch (PresenceUnavailableException)
        {
            return new HubRefusal("presence not available");
        }
    }

    /// <summary>
    /// Opts this connection in to <see cref="IChatClient.UserJoined"/> and <see cref="IChatClient.UserLeft"/>. It first
    /// gets a <c>UserJoined</c> for everyone online now (itself included), then the changes; returns who is online.
    /// Raw clients ask with <c>{"presence": true}</c>.
    /// </summary>
    public async Task<HubAnswer<string[]>> SubscribePresence()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, PresenceGroup);
        var online = await GetOnlineUsers();
        foreach (var user in online.Result ?? [])
        {
            await Clients.Caller.UserJoined(user);
        }

        return online;
    }

    /// <summary>
    /// Counts this connection in or out of the presence and, when the user joined or left, tells the presence
    /// subscribers. Best effort: when Redis cannot carry it, the change is lost and logged, and the connection goes on.
    /// </summary>
    private async Task CountPresenceAsync(bool joined)
    {
        var user = Context.UserIdentifier!;
        try
        {
            if (joined ? await presence.ConnectedAsync(user) : await presence.DisconnectedAsync(user))
            {
                await (joined ? Clients.Group(PresenceGroup).UserJoined(user) : Clients.Group(PresenceGroup).UserLeft(user));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PresenceNotSent(logger, user, Transport, Context.ConnectionId, ex);
        }
    }
}
