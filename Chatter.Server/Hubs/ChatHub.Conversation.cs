using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.History;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>What v2 connections share besides messages: read markers across a user's devices, and who is typing.</summary>
public sealed partial class ChatHub
{
    /// <summary>The group of every v2 connection (raw <c>"v": 2</c>, SignalR <c>?v=2</c>): they get typing notices.</summary>
    public const string V2Group = "v2";

    /// <summary>The shortest time between two typing notices of one connection for one thread; more are dropped silently.</summary>
    public static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(1);

    private const int TypingThreadsTracked = 16;
    private static readonly object TypingKey = new();

    /// <summary>
    /// Records that the caller has read <paramref name="thread"/> up to <paramref name="id"/> (never backwards) and tells
    /// the user's other v2 connections at once; answers the marker. Raw: <c>{"read": {"thread", "id"}}</c>.
    /// </summary>
    public async Task<HubAnswer<ReadMarker>> MarkRead(string? thread, long id)
    {
        if (ChatRules.ValidateThread(thread) is { } reason)
        {
            return Refuse(reason);
        }

        if (id <= 0)
        {
            return Refuse(FrameError.ReadIdNotPositive);
        }

        var user = Context.UserIdentifier!;
        var marker = new ReadMarker(thread!, id);
        ReadMarkerResult result;
        try
        {
            result = await history.SetReadMarkerAsync(user, marker, CancellationToken.None);
        }
        catch (ChatHistoryException ex)
        {
            Log.StoreFailed(logger, user, Transport, Context.ConnectionId, ex);
            return new HubRefusal("read marker not stored");
        }

        if (result == ReadMarkerResult.TooMany)
        {
            return Refuse(FrameError.TooManyReadMarkers);
        }

        if (result == ReadMarkerResult.Moved)
        {
            await BestEffortAsync(Clients.OthersInGroup(UserGroup(user)).ReadMarker(marker));
        }

        return new HubAnswer<ReadMarker>(marker, null);
    }

    /// <summary>
    /// Tells the other v2 connections that the caller is typing in <paramref name="thread"/>; never stored. At most one
    /// per second per connection per thread: more are dropped silently (answered false), not counted against the rate.
    /// Raw: <c>{"typing": "general"}</c>.
    /// </summary>
    public async Task<HubAnswer<bool>> Typing(string? thread)
    {
        if (ChatRules.ValidateThread(thread) is { } reason)
        {
            return Refuse(reason);
        }

        var (stored, unknown) = StoredThread(thread!);
        if (unknown is not null)
        {
            return Refuse(unknown);
        }

        if (!TypingAllowed(thread!))
        {
            return new HubAnswer<bool>(false, null);
        }

        var user = Context.UserIdentifier!;
        await TellThreadAsync(stored!, (clients, named) => clients.UserTyping(new TypingNotice(named, user)), BestEffortAsync);
        return new HubAnswer<bool>(true, null);
    }

    /// <summary>The group of a user's v2 connections, which share read markers.</summary>
    private static string UserGroup(string user) => "v2-user:" + user;

    /// <summary>Puts a v2 connection in the groups of typing notices and its user's read markers.</summary>
    private async Task JoinV2GroupsAsync()
    {
        await BestEffortAsync(Groups.AddToGroupAsync(Context.ConnectionId, V2Group));
        await BestEffortAsync(Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(Context.UserIdentifier!)));
    }

    /// <summary>The user's read markers for a v2 start; null (logged) when the store cannot give them.</summary>
    private async Task<IReadOnlyDictionary<string, long>?> ReadMarkersAsync()
    {
        try
        {
            return await history.GetReadMarkersAsync(Context.UserIdentifier!, Context.ConnectionAborted);
        }
        catch (ChatHistoryException ex)
        {
            Log.StoreFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return null;
        }
    }

    /// <summary>True when this connection's last typing notice for <paramref name="thread"/> is a second old or more (and records now).</summary>
    private bool TypingAllowed(string thread)
    {
        // Hub calls of one connection run one at a time: its items need no lock.
        if (!Context.Items.TryGetValue(TypingKey, out var items) || items is not Dictionary<string, long> last)
        {
            Context.Items[TypingKey] = last = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        var now = time.GetTimestamp();
        if (last.TryGetValue(thread, out var previous) && time.GetElapsedTime(previous, now) < TypingInterval)
        {
            return false;
        }

        if (last.Count >= TypingThreadsTracked)
        {
            last.Clear();
        }

        last[thread] = now;
        return true;
    }

    /// <summary>Sends what only v2 connections get; a backplane outage loses it (logged), never the call.</summary>
    private async Task BestEffortAsync(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ConversationNoticeNotSent(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
        }
    }
}
