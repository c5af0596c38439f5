using Chatter.Protocol;
using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// The real store, with the answer to every append held until the test releases it: shows which appends the hub handed
/// to the store before any of them had completed (a batch), and lets frames pile up behind a held one. The real store
/// gets each append at once, in the order the hub made them.
/// </summary>
public sealed class GatedHistory(IChatHistory inner) : DelegatingHistory(inner)
{
    private readonly Lock gate = new();
    private readonly List<TaskCompletionSource> held = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int started;
    private bool open;

    public override async ValueTask<ChatPosted> AppendAsync(ChatPost post, CancellationToken cancellationToken)
    {
        var append = Inner.AppendAsync(post, cancellationToken).AsTask();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource wake;
        lock (gate)
        {
            started++;
            if (open)
            {
                release.SetResult();
            }
            else
            {
                held.Add(release);
            }

            wake = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.SetResult();
        await release.Task;
        return await append;
    }

    /// <summary>Waits (bounded by <paramref name="cancellationToken"/>) until at least <paramref name="count"/> appends have started.</summary>
    public async Task WaitForStartedAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (started >= count)
                {
                    return;
                }

                next = changed.Task;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Lets every held append go on to the real store; returns how many there were.</summary>
    public int ReleaseAll()
    {
        TaskCompletionSource[] releasing;
        lock (gate)
        {
            releasing = [.. held];
            held.Clear();
        }

        foreach (var release in releasing)
        {
            release.SetResult();
        }

        return releasing.Length;
    }

    /// <summary>Releases every held append and holds no more.</summary>
    public void Open()
    {
        lock (gate)
        {
            open = true;
        }

        ReleaseAll();
    }
}
