using Chatter.Server.History;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Holds the first batch of a PostgreSQL store's writer before it is sent (through the writer's seam), so that the posts
/// queued meanwhile gather into the next batch; records the size of every batch.
/// </summary>
public sealed class PostgresHeldBatch
{
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PostgresHeldBatch(PostgresChatHistory history)
        => history.Writer.BatchWriting = async (_, size) =>
        {
            Sizes.Add(size);
            if (Sizes.Count == 1)
            {
                held.TrySetResult();
                await release.Task;
            }
        };

    /// <summary>The size of each batch, in the order written.</summary>
    public List<int> Sizes { get; } = [];

    /// <summary>Returns once the first batch is held.</summary>
    public Task HeldAsync(CancellationToken cancellationToken) => held.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>Lets the first batch go.</summary>
    public void Release() => release.TrySetResult();
}
