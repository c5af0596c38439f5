using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// The real store, with two holds a test opens and closes: an append is committed by the real store at once, but its
/// answer (so the hub's broadcast) is held; a replay is read by the real store at once (its snapshot and high-water id
/// are taken), but its answer is held. Each commit and each replay read is signalled as it happens.
/// </summary>
public sealed class HeldHistory(IChatHistory inner) : DelegatingHistory(inner)
{
    private readonly System.Threading.Channels.Channel<ChatMessage> committed = System.Threading.Channels.Channel.CreateUnbounded<ChatMessage>();
    private readonly System.Threading.Channels.Channel<ChatReplay> replays = System.Threading.Channels.Channel.CreateUnbounded<ChatReplay>();
    private volatile TaskCompletionSource? appendHold;
    private volatile TaskCompletionSource? replayHold;

    public void HoldAppends() => appendHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseAppends() => Interlocked.Exchange(ref appendHold, null)?.SetResult();

    public void HoldReplays() => replayHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseReplays() => Interlocked.Exchange(ref replayHold, null)?.SetResult();

    /// <summary>The next message the real store committed.</summary>
    public async Task<ChatMessage> NextCommittedAsync(CancellationToken cancellationToken)
        => await committed.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(RawChatClient.DefaultTimeout, cancellationToken);

    /// <summary>The next replay the real store read.</summary>
    public async Task<ChatReplay> NextReplayAsync(CancellationToken cancellationToken)
        => await replays.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(RawChatClient.DefaultTimeout, cancellationToken);

    public override async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var hold = appendHold;
        var stored = await Inner.AppendAsync(post, cancellationToken);
        committed.Writer.TryWrite(stored.Message);
        if (hold is not null)
        {
            await hold.Task;
        }

        return stored;
    }

    public override async ValueTask<ChatReplay> GetReplayAsync(string? viewer, long? sinceId, int perThread, int total, CancellationToken cancellationToken)
    {
        var hold = replayHold;
        var replay = await Inner.GetReplayAsync(viewer, sinceId, perThread, total, cancellationToken);
        replays.Writer.TryWrite(replay);
        if (hold is not null)
        {
            await hold.Task;
        }

        return replay;
    }
}
