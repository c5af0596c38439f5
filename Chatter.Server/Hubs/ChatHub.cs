using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Authentication;
using Chatter.Server.Configuration;
using Chatter.Server.Delivery;
using Chatter.Server.Diagnostics;
using Chatter.Server.History;
using Chatter.Server.Moderation;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// The chat: the one place that decides what is stored and who receives it, for raw <c>/ws/chat</c> clients and
/// SignalR clients alike, knowing neither protocol. Validate, store, then broadcast to every other connection; every
/// call answers with a value (<see cref="IHubAnswer"/>), a refusal included.
/// </summary>
public sealed partial class ChatHub(
    IChatHistory history,
    IOptions<ChatterOptions> options,
    IOptions<HistoryOptions> historyOptions,
    ChatterMetrics metrics,
    IPresence presence,
    IMessageRate rate,
    Moderator moderator,
    UserDirectory users,
    HubLifetimeManager<ChatHub> lifetimeManager,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ChatHub> logger) : Hub<IChatClient>
{
    /// <summary>The largest page <see cref="GetHistory"/> returns.</summary>
    public const int MaxPage = 500;

    private string Transport => ChatConnectionFeature.TransportOf(Context);

    private IDelivery Delivery => Context.Features.Get<IDelivery>()!;

    /// <summary>
    /// Replays the history to the new connection, then lets live messages through, with no gap and no duplicate; a v2
    /// raw connection gets the recovery answer after the replay. A SignalR connection that opted in (<c>?v=2</c>) is held
    /// (live messages wait, bounded) until it calls <see cref="Resume"/>.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        var resume = ResumeOf();
        if (resume.Version >= 2)
        {
            await JoinV2GroupsAsync();
        }

        var replay = resume.HeldForResume ? null : await ReadReplayAsync(resume.Since, resume.Epoch);
        Log.Connected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, replay?.Replay.Messages.Count ?? 0);
        metrics.Connected(Transport);
        if (replay is not null)
        {
            try
            {
                await GoLiveAsync(replay, resume.Version >= 2, answerAfterReplay: resume.Version >= 2);
            }
            catch
            {
                // OnDisconnectedAsync does not run after a failed OnConnectedAsync.
                metrics.Disconnected(Transport, "error");
                throw;
            }
        }

        await CountPresenceAsync(joined: true);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        Log.Disconnected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, exception);
        metrics.Disconnected(Transport, DisconnectReason(exception));
        await CountPresenceAsync(joined: false);
    }

    /// <summary>Stores a message from the caller and sends it to every other connection; answers the stored message (the ack) or the refusal.</summary>
    public async Task<SendResult> SendMessage(string? thread, string? message)
        => (await SendMessages([new ChatSend(thread, message)]))[0];

    /// <summary>
    /// <see cref="SendMessage"/> with the client's ref for the message: sent again with the same ref, thread and text
    /// within <c>Chatter:History:DedupeMinutes</c> (after a reconnect, from another node), it is answered with the
    /// original (same id and ts) and neither stored nor broadcast again.
    /// </summary>
    public async Task<SendResult> SendMessageWithRef(string? thread, string? message, string? reference)
        => (await SendMessages([new ChatSend(thread, message, reference)]))[0];

    /// <summary>
    /// Several messages from the caller, in order (raw clients' frames sent back to back come as one call). Each is
    /// handled as <see cref="SendMessage"/> would handle it alone, but all are handed to the store before the first is
    /// awaited, so they share one commit; the stored ones are then broadcast in order. The answer holds one result per
    /// send, in order, with the send's ref. A message the store accepted is answered as stored even when its broadcast
    /// fails: the others then get it by replay.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "Each append is started, kept, then awaited exactly once, in order: that is what lets the sends share a commit.")]
    public async Task<SendResult[]> SendMessages(ChatSend[] sends)
    {
        var results = new SendResult[sends.Length];
        var appends = new ValueTask<ChatPosted>[sends.Length];
        var started = time.GetTimestamp();
        var withinRate = await rate.AcquireAsync(Context, nameof(SendMessages), sends.Length);
        for (var i = 0; i < sends.Length; i++)
        {
            if (Refusal(sends[i], i < withinRate, out var thread) is { } reason)
            {
                results[i] = SendResult.Refused(sends[i], reason);
            }
            else
            {
                appends[i] = StartAppend(new ChatPost(thread, sends[i].Message!, Context.UserIdentifier!, sends[i].Ref));
            }
        }

        for (var i = 0; i < sends.Length; i++)
        {
            if (results[i] is not null)
            {
                continue;
            }

            var posted = await StoredAsync(appends[i], started);
            results[i] = posted is null ? SendResult.Refused(sends[i], FrameError.MessageNotStored) : new SendResult(sends[i].Ref, Viewed(posted.Message), null);
            if (posted is { Resent: false })
            {
                Delivery.Sent(posted.Message.Id);
                if (DirectThread.TryParse(posted.Message.Thread, out var first, out var second))
                {
                    await BroadcastDirectAsync(posted.Message, first, second);
                }
                else
                {
                    await BroadcastAsync(posted.Message);
                }
            }
        }

        return results;
    }

    /// <summary>A page of history, oldest first: the newest <paramref name="limit"/> (1–500) messages before <paramref name="beforeId"/>.</summary>
    public async Task<HubAnswer<IReadOnlyList<ChatMessage>>> GetHistory(string? thread, long? beforeId, int limit)
    {
        if (limit is < 1 or > MaxPage)
        {
            return Refuse($"limit must be between 1 and {MaxPage}");
        }

        var (stored, refusal) = thread is null ? (null, null) : StoredThread(thread);
        if (refusal is not null)
        {
            return Refuse(refusal);
        }

        var started = time.GetTimestamp();
        try
        {
            var user = Context.UserIdentifier!;
            var page = await history.GetPageAsync(user, stored, beforeId, limit, Context.ConnectionAborted);
            metrics.HistoryOperation("page", ok: true, time, started);
            return new HubAnswer<IReadOnlyList<ChatMessage>>(DirectThread.ViewOf(page, user), null);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("page", ok: false, time, started);
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return new HubRefusal("history not available");
        }
    }

    /// <summary>Why a send is refused before it reaches the store (logged and counted), or null, with the thread to store it in.</summary>
    private string? Refusal(ChatSend send, bool withinRate, out string stored)
    {
        stored = "";
        if (!withinRate)
        {
            return FrameError.RateLimited;
        }

        var reason = send.Unreadable ?? ChatRules.Validate(send.Thread, send.Message, options.Value.MaxMessageChars);
        if (reason is null)
        {
            (var thread, reason) = StoredThread(send.Thread!);
            stored = thread ?? "";
        }

        if (reason is not null)
        {
            Refuse(reason);
            return reason;
        }

        return null;
    }

    private HubRefusal Refuse(string reason)
    {
        Log.InvalidFrame(logger, Context.UserIdentifier, Transport, Context.ConnectionId, reason);
        metrics.InvalidFrame(Transport);
        return new HubRefusal(reason);
    }

    /// <summary>Hands a message to the store; a store that refuses at once fails the returned task like one that refuses later.</summary>
    private ValueTask<ChatPosted> StartAppend(ChatPost post)
    {
        try
        {
            // Not the connection's token: once the store has it, the message must reach the others even if its sender is gone.
            return history.AppendAsync(post, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ValueTask.FromException<ChatPosted>(ex);
        }
    }

    /// <summary>The message an append stored (or the original of a resend), logged and counted; null (logged) when the store did not take it.</summary>
    private async ValueTask<ChatPosted?> StoredAsync(ValueTask<ChatPosted> append, long started)
    {
        ChatPosted posted;
        try
        {
            posted = await append;
            metrics.HistoryOperation("append", ok: true, time, started);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("append", ok: false, time, started);
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A fault, not a refusal: still answered, as not stored (a store that took a message answers with it).
            metrics.HistoryOperation("append", ok: false, time, started);
            Log.SendFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return null;
        }

        var stored = posted.Message;
        if (posted.Resent)
        {
            Log.MessageResent(logger, stored.Id, Logged(stored.Thread), stored.From, Transport, Context.ConnectionId);
            return posted;
        }

        Log.MessageStored(logger, stored.Id, Logged(stored.Thread), stored.From, stored.Message.Length, Transport, Context.ConnectionId);
        metrics.MessageStored(Transport);
        return posted;
    }

    /// <summary>Sends a stored message to every other connection; a failure (the backplane down) is logged and counted, never thrown.</summary>
    private async ValueTask BroadcastAsync(ChatMessage stored)
    {
        var broadcast = time.GetTimestamp();
        try
        {
            await Clients.Others.ReceiveMessage(stored);
            metrics.Broadcast(time, broadcast);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.BroadcastFailed(logger, stored.Id, ex);
            metrics.BroadcastFailed();
        }
    }

    private string DisconnectReason(Exception? exception)
    {
        if (Context.Features.Get<IDelivery>()?.IsSlowConsumer == true)
        {
            return "slow_consumer";
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "shutdown";
        }

        return exception is null ? "client" : "error";
    }
}
