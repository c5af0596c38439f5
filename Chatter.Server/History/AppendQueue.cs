using System.Threading.Channels;

namespace Chatter.Server.History;

/// <summary>
/// The bounded queue in front of a store's single writer (<see cref="SqliteWriter"/>, <see cref="PostgresWriter"/>):
/// senders wait here for their message's commit; the writer takes what waits as one batch. Once the writer has died
/// (<see cref="Fail"/>), every waiting and later append fails at once with <c>message not stored</c>: nothing waits on a
/// dead writer.
/// </summary>
internal sealed class AppendQueue
{
    /// <summary>The most messages one transaction takes.</summary>
    public const int MaxBatch = 512;

    private readonly Channel<PendingAppend> appends = Channel.CreateBounded<PendingAppend>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private volatile Exception? fault;

    /// <summary>Why the writer died; null while it runs (or after an ordinary stop).</summary>
    public Exception? Fault => fault;

    /// <summary>Queues a post and answers it once the writer has committed it (or found the message it resends).</summary>
    /// <exception cref="ChatHistoryException">The writer failed its batch, has died, or the store is shutting down.</exception>
    public async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        if (fault is { } stopped)
        {
            throw Stopped(stopped);
        }

        var pending = new PendingAppend(post);
        if (!appends.Writer.TryWrite(pending))
        {
            try
            {
                await appends.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException ex)
            {
                throw fault is { } failed ? Stopped(failed) : new ChatHistoryException("the history store is shutting down", ex);
            }
        }

        return await pending.Completion.Task;
    }

    /// <summary>Accepts no more appends; the writer stores what waits, then its wait ends.</summary>
    public void Complete() => appends.Writer.TryComplete();

    /// <summary>Waits until something is queued; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync() => appends.Reader.WaitToReadAsync();

    /// <summary>Moves what waits (at most <see cref="MaxBatch"/>) into <paramref name="batch"/>, after clearing it.</summary>
    public void TakeBatch(List<PendingAppend> batch)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && appends.Reader.TryRead(out var next))
        {
            batch.Add(next);
        }
    }

    /// <summary>The writer has died of <paramref name="exception"/>: fails <paramref name="batch"/>, every waiting and every later append.</summary>
    public void Fail(Exception exception, List<PendingAppend> batch)
    {
        fault = exception;
        appends.Writer.TryComplete(exception);
        var failure = Stopped(exception);
        FailBatch(batch, failure);

        // Completed above, so nothing more can be written: these are all that still wait.
        while (appends.Reader.TryRead(out var waiting))
        {
            waiting.Completion.TrySetException(failure);
        }
    }

    /// <summary>Answers every message of <paramref name="batch"/> with <paramref name="failure"/> (the batch was not stored).</summary>
    public static void FailBatch(List<PendingAppend> batch, ChatHistoryException failure)
    {
        foreach (var pending in batch)
        {
            pending.Completion.TrySetException(failure);
        }
    }

    private static ChatHistoryException Stopped(Exception fault)
        => new("message not stored: the history writer has stopped", fault);
}

/// <summary>A post waiting for its commit.</summary>
internal sealed class PendingAppend(ChatPost post)
{
    public ChatPost Post { get; } = post;

    /// <summary>Set to the stored message (or the original it resends) after the commit, or to the reason it was not stored.</summary>
    public TaskCompletionSource<ChatPosted> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
