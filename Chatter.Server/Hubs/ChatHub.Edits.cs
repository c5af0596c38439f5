using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.History;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>Edits and deletes of stored messages: by their author, and deletes by admins; the other v2 connections are told.</summary>
public sealed partial class ChatHub
{
    /// <summary>
    /// Replaces the text of the caller's message <paramref name="id"/> (the rules of a new message apply to
    /// <paramref name="message"/>); answers the message with its new text and <c>editedTs</c>, and tells the other v2
    /// connections that see its thread (<see cref="IChatClient.MessageEdited"/>). Refused with <c>not found</c> (no such
    /// message, or deleted) or <c>not yours</c> (someone else's, an admin's call included); nothing changes then. Counts
    /// against the message rate. Raw: <c>{"edit": 17, "message": "new text", "ref": "e1"}</c>.
    /// </summary>
    public async Task<HubAnswer<ChatMessage>> EditMessage(long id, string? message)
    {
        if (id <= 0)
        {
            return Refuse(FrameError.EditIdNotPositive);
        }

        // The thread is the stored message's, which passed the rules when it was stored: the text is what is new.
        if (ChatRules.ValidateMessage(message, options.Value.MaxMessageChars) is { } reason)
        {
            return Refuse(reason);
        }

        var started = time.GetTimestamp();
        ChatEditResult result;
        try
        {
            result = await history.EditAsync(new ChatEdit(id, Context.UserIdentifier!, message!), CancellationToken.None);
            metrics.HistoryOperation("edit", ok: true, time, started);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("edit", ok: false, time, started);
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return new HubRefusal("message not edited");
        }

        if (result is not { Outcome: ChatChangeOutcome.Done, Message: { } edited })
        {
            return new HubRefusal(RefusalOf(result.Outcome));
        }

        await TellThreadAsync(edited.Thread, (clients, view) => clients.MessageEdited(edited with { Thread = view }), send => NoticeAsync(nameof(IChatClient.MessageEdited), id, send));
        return Viewed(edited);
    }

    /// <summary>
    /// Deletes the message <paramref name="id"/>: the caller's own, or anyone's when the caller is listed in
    /// <c>Chatter:Admins</c> (logged as an admin action, as is a refused attempt on someone else's message). Its text is
    /// gone: replays, <c>since</c> and pages leave it out. Answers its id and thread, and tells the other v2 connections
    /// that see the thread (<see cref="IChatClient.MessageDeleted"/>). Refused with <c>not found</c> or <c>not yours</c>.
    /// Counts against the message rate. Raw: <c>{"delete": 17, "ref": "d1"}</c>.
    /// </summary>
    public async Task<HubAnswer<DeletedMessage>> DeleteMessage(long id)
    {
        if (id <= 0)
        {
            return Refuse(FrameError.DeleteIdNotPositive);
        }

        var user = Context.UserIdentifier!;
        var asAdmin = moderator.MayDeleteAnyMessage(user);
        var started = time.GetTimestamp();
        ChatDeleteResult result;
        try
        {
            result = await history.DeleteAsync(new ChatDelete(id, user, asAdmin), CancellationToken.None);
            metrics.HistoryOperation("delete", ok: true, time, started);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("delete", ok: false, time, started);
            Log.StoreFailed(logger, user, Transport, Context.ConnectionId, ex);
            return new HubRefusal("message not deleted");
        }

        var refusal = result.Outcome == ChatChangeOutcome.Done ? null : RefusalOf(result.Outcome);
        if (result.Author != user && (asAdmin || result.Outcome == ChatChangeOutcome.NotYours))
        {
            moderator.LogMessageDelete(user, id, result.Author, Transport, refusal);
        }

        if (refusal is not null)
        {
            return new HubRefusal(refusal);
        }

        await TellThreadAsync(result.Thread!, (clients, view) => clients.MessageDeleted(new DeletedMessage(id, view)), send => NoticeAsync(nameof(IChatClient.MessageDeleted), id, send));
        // An admin who is not one of a direct thread's two users learns no more than that it was one.
        return new DeletedMessage(id, DirectThread.CanRead(result.Thread!, user) ? DirectThread.ViewOf(result.Thread!, user) : DirectThread.Prefix.ToString());
    }

    private static string RefusalOf(ChatChangeOutcome outcome)
        => outcome == ChatChangeOutcome.NotYours ? FrameError.NotYours : FrameError.NotFound;

    /// <summary>Sends an edit or delete notice; a backplane outage loses it (logged), never the change or its answer.</summary>
    private async Task NoticeAsync(string notice, long id, Task send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.NoticeNotSent(logger, notice, id, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
        }
    }
}
