using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Delivery;
using Chatter.Server.History;
using Microsoft.AspNetCore.SignalR;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// Direct messages: a thread named <c>@bob</c> is private between the caller and bob. It is stored once under the pair's
/// key (<see cref="DirectThread"/>), shown to each of the two as the other's name, and sent to the two users'
/// connections only; every other v2 connection gets just its id (<see cref="PrivateId"/>), so its checkpoints move on.
/// </summary>
public sealed partial class ChatHub
{
    /// <summary>
    /// The thread as stored for a thread the caller named: a direct one's key, or the name itself; null (with the
    /// refusal) for a direct thread with a user who does not exist.
    /// </summary>
    private (string? Stored, string? Refusal) StoredThread(string thread)
    {
        if (!DirectThread.IsDirect(thread))
        {
            return (thread, null);
        }

        var other = thread[1..];
        return users.Exists(other) ? (DirectThread.Key(Context.UserIdentifier!, other), null) : (null, FrameError.UnknownUser);
    }

    /// <summary>A stored message as the caller sees it (a direct one named after the other user).</summary>
    private ChatMessage Viewed(ChatMessage stored) => DirectThread.ViewOf(stored, Context.UserIdentifier!);

    /// <summary>The thread as logs name it: a direct one only as <c>@</c>, so no log line tells who talks to whom.</summary>
    private static string Logged(string storedThread) => DirectThread.TryParse(storedThread, out _, out _) ? DirectThread.Prefix.ToString() : storedThread;

    /// <summary>
    /// Sends a stored direct message to every connection of its two users but the caller's (each named after the other),
    /// then its id to every v2 connection; a failure is logged and counted, never thrown.
    /// </summary>
    private async ValueTask BroadcastDirectAsync(ChatMessage stored, string first, string second)
    {
        var broadcast = time.GetTimestamp();
        var me = Context.UserIdentifier!;
        var other = me == first ? second : first;
        // The copy to the caller's own user comes back to this connection too: it is dropped there.
        Delivery.SentDirect(stored.Id);
        try
        {
            if (other != me)
            {
                await Clients.User(other).ReceiveMessage(DirectThread.ViewOf(stored, other));
            }

            await Clients.User(me).ReceiveMessage(DirectThread.ViewOf(stored, me));
            await lifetimeManager.SendGroupAsync(V2Group, PrivateId.Method, [new PrivateId(stored.Id, first, second)]);
            metrics.Broadcast(time, broadcast);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.BroadcastFailed(logger, stored.Id, ex);
            metrics.BroadcastFailed();
        }
    }

    /// <summary>
    /// Sends a v2 notice about the stored thread <paramref name="stored"/> (typing, an edit, a delete) to the other v2
    /// connections that see it, through <paramref name="deliver"/> (which makes a failure best effort): every one for a
    /// public thread; for a direct one, the v2 connections of its two users but the caller's, each with the thread named
    /// as that user names it.
    /// </summary>
    private async Task TellThreadAsync(string stored, Func<IChatClient, string, Task> send, Func<Task, Task> deliver)
    {
        if (!DirectThread.TryParse(stored, out var first, out var second))
        {
            await deliver(send(Clients.OthersInGroup(V2Group), stored));
            return;
        }

        foreach (var member in first == second ? [first] : new[] { first, second })
        {
            var clients = member == Context.UserIdentifier ? Clients.OthersInGroup(UserGroup(member)) : Clients.Group(UserGroup(member));
            await deliver(send(clients, DirectThread.ViewOf(stored, member)));
        }
    }
}
