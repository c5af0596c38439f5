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

    /// <summary>Who gets a v2 notice (typing) about <paramref name="thread"/> as the caller named it: the other v2 connections that can see it.</summary>
    private async Task NotifyThreadAsync(string thread, Func<IChatClient, string, Task> send)
    {
        if (!DirectThread.IsDirect(thread))
        {
            await BestEffortAsync(send(Clients.OthersInGroup(V2Group), thread));
            return;
        }

        var me = Context.UserIdentifier!;
        var other = thread[1..];
        if (other != me)
        {
            await BestEffortAsync(send(Clients.Group(UserGroup(other)), DirectThread.Prefix + me));
        }

        await BestEffortAsync(send(Clients.OthersInGroup(UserGroup(me)), thread));
    }
}
