using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.History;
using Chatter.Server.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// The chat: the one place that decides what is stored and who receives it, for raw <c>/ws/chat</c> clients
/// and SignalR clients alike. Validate, store, then broadcast to every other connection.
/// </summary>
public sealed class ChatHub(IChatHistory history, IOptions<ChatterOptions> options, ILogger<ChatHub> logger) : Hub<IChatClient>
{
    /// <summary>The largest page <see cref="GetHistory"/> returns.</summary>
    public const int MaxPage = 500;

    private string Transport => Context.Features.Get<ChatConnectionFeature>()?.Transport ?? "signalr";

    /// <summary>Replays the history to the new connection, then lets live messages through, with no gap and no duplicate.</summary>
    public override async Task OnConnectedAsync()
    {
        var limits = options.Value.History;
        IReadOnlyList<ChatMessage> replay = [];
        try
        {
            replay = await history.GetReplayAsync(Since(), limits.ReplayLimit, limits.ReplayMaxTotal, Context.ConnectionAborted);
        }
        catch (ChatHistoryException ex)
        {
            Log.ReplayFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
        }

        Log.Connected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, replay.Count);
        await DeliveryContext.Of(Context).ReplayThenGoLiveAsync(replay, Context.ConnectionAborted);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        Log.Disconnected(logger, Context.UserIdentifier, Transport, Context.ConnectionId, exception);
        return Task.CompletedTask;
    }

    /// <summary>Stores a message from the caller and sends it to every other connection; returns the stored message (the ack).</summary>
    public async Task<ChatMessage> SendMessage(string? thread, string? message)
    {
        if (ChatRules.Validate(thread, message, options.Value.MaxMessageChars) is { } reason)
        {
            throw Refuse(reason);
        }

        ChatMessage stored;
        try
        {
            // Not the connection's token: once the store has it, the message must reach the others even if its sender is gone.
            stored = await history.AppendAsync(thread!, message!, Context.UserIdentifier!, CancellationToken.None);
        }
        catch (ChatHistoryException ex)
        {
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            throw new HubException(FrameError.MessageNotStored);
        }

        Log.MessageStored(logger, stored.Id, stored.Thread, stored.From, stored.Message.Length, Transport, Context.ConnectionId);
        await Clients.Others.ReceiveMessage(stored);
        return stored;
    }

    /// <summary>A page of history, oldest first: the newest <paramref name="limit"/> (1–500) messages before <paramref name="beforeId"/>.</summary>
    public async Task<IReadOnlyList<ChatMessage>> GetHistory(string? thread, long? beforeId, int limit)
    {
        if (limit is < 1 or > MaxPage)
        {
            throw Refuse($"limit must be between 1 and {MaxPage}");
        }

        try
        {
            return await history.GetPageAsync(thread, beforeId, limit, Context.ConnectionAborted);
        }
        catch (ChatHistoryException ex)
        {
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
        Log.InvalidFrame(logger, Context.UserIdentifier, Transport, Context.ConnectionId, reason);
        return new HubException(reason);
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
