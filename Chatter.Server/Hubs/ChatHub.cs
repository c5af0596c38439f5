using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Diagnostics;
using Chatter.Server.History;
using Chatter.Server.Hosting;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// The chat: the one place that decides what is stored and who receives it, for raw <c>/ws/chat</c> clients
/// and SignalR clients alike. Validate, store, then broadcast to every other connection.
/// </summary>
public sealed class ChatHub(
    IChatHistory history,
    IOptions<ChatterOptions> options,
    ChatterMetrics metrics,
    IPresence presence,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ChatHub> logger) : Hub<IChatClient>
{
    /// <summary>The largest page <see cref="GetHistory"/> returns.</summary>
    public const int MaxPage = 500;

    /// <summary>The group of connections that asked for presence events.</summary>
    public const string PresenceGroup = "presence";

    private string Transport => ChatConnectionFeature.TransportOf(Context);

    /// <summary>Replays the history to the new connection, then lets live messages through, with no gap and no duplicate.</summary>
    public override async Task OnConnectedAsync()
    {
        var limits = options.Value.History;
        IReadOnlyList<ChatMessage> replay = [];
        var started = time.GetTimestamp();
        try
        {
            replay = (await history.GetReplayAsync(Since(), limits.ReplayLimit, limits.ReplayMaxTotal, Context.ConnectionAborted)).Messages;
            metrics.HistoryOperation("replay", ok: true, time, started);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("replay", ok: false, time, started);
            Log.ReplayFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
        }

        Log.Connected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, replay.Count);
        metrics.Connected(Transport);
        try
        {
            await DeliveryContext.Of(Context).ReplayThenGoLiveAsync(replay, Context.ConnectionAborted);
        }
        catch
        {
            // OnDisconnectedAsync does not run after a failed OnConnectedAsync.
            metrics.Disconnected(Transport, "error");
            throw;
        }

        await CountPresenceAsync(joined: true);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        Log.Disconnected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, exception);
        metrics.Disconnected(Transport, DisconnectReason(exception));
        await CountPresenceAsync(joined: false);
    }

    /// <summary>The users online (on every node, with Redis), in ordinal order.</summary>
    public async Task<string[]> GetOnlineUsers()
    {
        try
        {
            return await presence.OnlineAsync();
        }
        catch (PresenceUnavailableException)
        {
            throw new HubException("presence not available");
        }
    }

    /// <summary>
    /// Opts this connection in to <see cref="IChatClient.UserJoined"/> and <see cref="IChatClient.UserLeft"/>. It first
    /// gets a <c>UserJoined</c> for everyone online now (itself included), then the changes; returns who is online.
    /// Raw clients ask with <c>{"presence": true}</c>.
    /// </summary>
    public async Task<string[]> SubscribePresence()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, PresenceGroup);
        var online = await GetOnlineUsers();
        foreach (var user in online)
        {
            await Clients.Caller.UserJoined(user);
        }

        return online;
    }

    /// <summary>Stores a message from the caller and sends it to every other connection; returns the stored message (the ack).</summary>
    public async Task<ChatMessage> SendMessage(string? thread, string? message)
    {
        if (ChatRules.Validate(thread, message, options.Value.MaxMessageChars) is { } reason)
        {
            throw Refuse(reason);
        }

        var started = time.GetTimestamp();
        var stored = await StoredAsync(StartAppend(thread!, message!), started)
            ?? throw new HubException(FrameError.MessageNotStored);
        await BroadcastAsync(stored);
        return stored;
    }

    /// <summary>
    /// Raw clients only: the chat frames a client sent back to back (see <see cref="RawFrameBatch"/>). Each frame is
    /// handled as <see cref="SendMessage"/> would handle it alone, but all are handed to the store before the first is
    /// awaited, so they share one commit; the messages are then broadcast in the order they were sent, and the answer
    /// holds one outcome per frame, in order.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "Each append is started, kept, then awaited exactly once, in order: that is what lets the frames share a commit.")]
    public async Task<RawFrameOutcome[]> SendFrames(RawFrameBatch batch)
    {
        if (Context.Features.Get<ChatConnectionFeature>() is null)
        {
            throw Refuse(FrameError.RawClientsOnly);
        }

        var frames = batch.Frames;
        var outcomes = new RawFrameOutcome[frames.Length];
        var appends = new ValueTask<ChatMessage>[frames.Length];
        var started = time.GetTimestamp();
        for (var i = 0; i < frames.Length; i++)
        {
            var frame = frames[i];
            if (frame.RateLimited)
            {
                outcomes[i] = new RawFrameOutcome(null, FrameError.RateLimited);
            }
            else if ((frame.Refused ?? ChatRules.Validate(frame.Thread, frame.Message, options.Value.MaxMessageChars)) is { } reason)
            {
                LogRefusal(reason);
                outcomes[i] = new RawFrameOutcome(null, reason);
            }
            else
            {
                appends[i] = StartAppend(frame.Thread!, frame.Message!);
            }
        }

        for (var i = 0; i < frames.Length; i++)
        {
            if (outcomes[i].Error is not null)
            {
                continue;
            }

            if (await StoredAsync(appends[i], started) is not { } stored)
            {
                outcomes[i] = new RawFrameOutcome(null, FrameError.MessageNotStored);
                continue;
            }

            await BroadcastAsync(stored);
            outcomes[i] = new RawFrameOutcome(stored, null);
        }

        return outcomes;
    }

    /// <summary>A page of history, oldest first: the newest <paramref name="limit"/> (1–500) messages before <paramref name="beforeId"/>.</summary>
    public async Task<IReadOnlyList<ChatMessage>> GetHistory(string? thread, long? beforeId, int limit)
    {
        if (limit is < 1 or > MaxPage)
        {
            throw Refuse($"limit must be between 1 and {MaxPage}");
        }

        var started = time.GetTimestamp();
        try
        {
            var page = await history.GetPageAsync(thread, beforeId, limit, Context.ConnectionAborted);
            metrics.HistoryOperation("page", ok: true, time, started);
            return page;
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("page", ok: false, time, started);
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            throw new HubException("history not available");
        }
    }

    /// <summary>
    /// The raw protocol maps a frame it cannot use to this call, so that refusals are logged and answered in
    /// one place. A SignalR client calling it just gets its reason back as an error.
    /// </summary>
    public Task RejectFrame(string reason) => Task.FromException(Refuse(reason));

    private HubException Refuse(string reason)
    {
        LogRefusal(reason);
        return new HubException(reason);
    }

    private void LogRefusal(string reason)
    {
        Log.InvalidFrame(logger, Context.UserIdentifier, Transport, Context.ConnectionId, reason);
        metrics.InvalidFrame(Transport);
    }

    /// <summary>Hands a message to the store; a store that refuses at once fails the returned task like one that refuses later.</summary>
    private ValueTask<ChatMessage> StartAppend(string thread, string message)
    {
        try
        {
            // Not the connection's token: once the store has it, the message must reach the others even if its sender is gone.
            return history.AppendAsync(thread, message, Context.UserIdentifier!, CancellationToken.None);
        }
        catch (ChatHistoryException ex)
        {
            return ValueTask.FromException<ChatMessage>(ex);
        }
    }

    /// <summary>The message an append stored, logged and counted; null (logged) when the store did not take it.</summary>
    private async ValueTask<ChatMessage?> StoredAsync(ValueTask<ChatMessage> append, long started)
    {
        ChatMessage stored;
        try
        {
            stored = await append;
            metrics.HistoryOperation("append", ok: true, time, started);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("append", ok: false, time, started);
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return null;
        }

        Log.MessageStored(logger, stored.Id, stored.Thread, stored.From, stored.Message.Length, Transport, Context.ConnectionId);
        metrics.MessageStored(Transport);
        return stored;
    }

    private async ValueTask BroadcastAsync(ChatMessage stored)
    {
        var broadcast = time.GetTimestamp();
        await Clients.Others.ReceiveMessage(stored);
        metrics.Broadcast(time, broadcast);
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

    private string DisconnectReason(Exception? exception)
    {
        if (DeliveryContext.Of(Context).IsSlowConsumer)
        {
            return "slow_consumer";
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "shutdown";
        }

        return exception is null ? "client" : "error";
    }

    private long? Since()
    {
        if (Context.Features.Get<ChatConnectionFeature>() is { } raw)
        {
            return raw.Since;
        }

        // SignalR clients may reconnect with ?since=<id> on the hub URL.
        var query = Context.GetHttpContext()?.Request.Query["since"].ToString();
        return long.TryParse(query, out var since) && since >= 0 ? since : null;
    }
}
