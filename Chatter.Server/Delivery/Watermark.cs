namespace Chatter.Server.Delivery;

/// <summary>
/// A connection's checkpoint: the highest id up to which every message has been put in its queue. Stores number
/// messages densely (every id from 1 to the high-water id is a message, until retention removes it), so it starts at
/// the replay's high-water id and moves up only over ids it has seen: live ids that arrive out of order (senders
/// answered in a different order, broadcasts from other nodes) wait in a set until the ones below them came. Not
/// thread-safe: the connection's lock guards it.
/// </summary>
/// <remarks>
/// A message that never comes (its broadcast failed after it was stored) holds the checkpoint where it is; the
/// connection then stops getting checkpoints and, when it reconnects from the last one, gets the message by replay.
/// Past <see cref="MaxWaiting"/> ids waiting, it gives up (and sends no more checkpoints) rather than grow.
/// </remarks>
internal sealed class Watermark(long start)
{
    /// <summary>The most ids held above a gap.</summary>
    public const int MaxWaiting = 10_000;

    private HashSet<long>? waiting;
    private bool stuck;

    /// <summary>Every message with an id at or below it has been queued.</summary>
    public long UpTo { get; private set; } = start;

    /// <summary>A message with <paramref name="id"/> was queued (or is known to the client, as its own).</summary>
    public void Seen(long id)
    {
        if (stuck || id <= UpTo)
        {
            return;
        }

        if (id != UpTo + 1)
        {
            waiting ??= [];
            if (waiting.Count >= MaxWaiting)
            {
                stuck = true;
                waiting = null;
                return;
            }

            waiting.Add(id);
            return;
        }

        UpTo = id;
        while (waiting is { Count: > 0 } && waiting.Remove(UpTo + 1))
        {
            UpTo++;
        }
    }
}
