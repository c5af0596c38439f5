using Chatter.Protocol;
using Chatter.Server.Delivery;
using Chatter.Server.History;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Log = Chatter.Server.Hubs.ChatHubLog;

namespace Chatter.Server.Hubs;

/// <summary>The replay and the recovery answer: where a (re)connecting client resumes, and whether it could.</summary>
public sealed partial class ChatHub
{
    /// <summary>
    /// For a SignalR client that connected with <c>?v=2</c> (held until this call): replays what it missed since
    /// <paramref name="since"/> of <paramref name="epoch"/> (both null for a new client), then lets live messages and
    /// checkpoints through, and answers how the resume went. Call it after every connect, with the last checkpoint
    /// (<c>Checkpoint</c> event) or recovery answer seen, as in a <c>Reconnected</c> handler of
    /// <c>WithAutomaticReconnect</c>. Refused for a connection that is not held or already resumed.
    /// </summary>
    public async Task<HubAnswer<Recovery>> Resume(long? since, string? epoch)
    {
        if (!ResumeOf().HeldForResume || Delivery.IsLive)
        {
            return new HubRefusal("already resumed: connect with ?v=2 and call Resume once per connection");
        }

        if (since < 0)
        {
            return Refuse("since must not be negative");
        }

        var replay = await ReadReplayAsync(since, epoch is { Length: > FrameReader.MaxEpochChars } ? epoch[..FrameReader.MaxEpochChars] : epoch);
        var recovery = await GoLiveAsync(replay, checkpoints: true, answerAfterReplay: false);
        return recovery is null ? new HubRefusal("already resumed") : new HubAnswer<Recovery>(recovery, null);
    }

    /// <summary>Reads the replay for a resume: since <paramref name="since"/> when its epoch is the store's, else a new client's.</summary>
    private async Task<ResumedReplay> ReadReplayAsync(long? since, string? epoch)
    {
        var limits = historyOptions.Value;
        var started = time.GetTimestamp();
        try
        {
            var user = Context.UserIdentifier;
            var replay = await history.GetReplayAsync(user, since, limits.ReplayLimit, limits.ReplayMaxTotal, Context.ConnectionAborted);
            var recovered = replay.Complete;
            if (epoch is not null && epoch != replay.Epoch)
            {
                // The ids the client holds belong to another history: it starts over, as a new client.
                replay = await history.GetReplayAsync(user, null, limits.ReplayLimit, limits.ReplayMaxTotal, Context.ConnectionAborted);
                recovered = false;
            }

            metrics.HistoryOperation("replay", ok: true, time, started);
            Log.Replayed(logger, Context.UserIdentifier, Context.ConnectionId, since, replay.Messages.Count, recovered, replay.HighWater);
            return new ResumedReplay(replay, recovered, Failed: false);
        }
        catch (ChatHistoryException ex)
        {
            metrics.HistoryOperation("replay", ok: false, time, started);
            Log.ReplayFailed(logger, Context.UserIdentifier, Transport, Context.ConnectionId, ex);
            return new ResumedReplay(new ChatReplay([], 0, "", Complete: false), Recovered: false, Failed: true);
        }
    }

    /// <summary>
    /// Queues the replay (and, <paramref name="answerAfterReplay"/>, the recovery answer after it), then goes live with
    /// checkpoints when asked; answers the recovery, or null when the connection was live already. A replay that failed
    /// gets no checkpoints: its high-water id is unknown.
    /// </summary>
    private async Task<Recovery?> GoLiveAsync(ResumedReplay resumed, bool checkpoints, bool answerAfterReplay)
    {
        var replay = resumed.Replay;
        var recovery = new Recovery(resumed.Recovered, replay.HighWater, replay.Epoch);
        var after = new List<HubMessage>(2);
        if (answerAfterReplay)
        {
            after.Add(new InvocationMessage(nameof(IChatClient.Recovered), [recovery]));
        }

        if (checkpoints && await ReadMarkersAsync() is { } markers)
        {
            // v2 connections: the user's read markers, so unread counts are right on every device.
            after.Add(new InvocationMessage(nameof(IChatClient.ReadMarkers), [markers]));
        }

        var checkpointMethod = checkpoints && !resumed.Failed ? nameof(IChatClient.Checkpoint) : null;
        var start = new LiveStart(nameof(IChatClient.ReceiveMessage), DirectThread.ViewOf(replay.Messages, Context.UserIdentifier!), replay.HighWater, after, checkpointMethod);
        return await Delivery.ReplayThenGoLiveAsync(start, Context.ConnectionAborted) ? recovery : null;
    }

    /// <summary>What the connection asked to resume from: the raw login frame's fields, or a SignalR client's query (<c>?since=17&amp;v=2</c>).</summary>
    private ResumeRequest ResumeOf()
    {
        if (Context.Features.Get<ChatConnectionFeature>() is { } raw)
        {
            return new ResumeRequest(raw.Transport, raw.Since, raw.Epoch, raw.Version);
        }

        var query = Context.GetHttpContext()?.Request.Query;
        var since = long.TryParse(query?["since"].ToString(), out var id) && id >= 0 ? id : (long?)null;
        var version = query?["v"].ToString() is "2" ? 2 : 1;
        return new ResumeRequest("signalr", since, null, version);
    }

    /// <summary>A connection's resume request.</summary>
    private sealed record ResumeRequest(string Transport, long? Since, string? Epoch, int Version)
    {
        /// <summary>A SignalR v2 connection: it resumes by calling <see cref="Resume"/>.</summary>
        public bool HeldForResume => Transport == "signalr" && Version >= 2;
    }

    /// <summary>A replay read for a resume, whether it honoured the resume, and whether the store failed to give it.</summary>
    private sealed record ResumedReplay(ChatReplay Replay, bool Recovered, bool Failed);
}
