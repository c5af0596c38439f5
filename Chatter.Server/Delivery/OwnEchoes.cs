namespace Chatter.Server.Delivery;

/// <summary>
/// The direct messages a connection's client stored whose copy to its own user's connections (this one included, on
/// every node) has not come back yet: each is dropped once when it does. Bounded: past <see cref="Max"/> copies that
/// never came back (the backplane lost them) it forgets them rather than grow. Thread-safe; free while empty.
/// </summary>
internal sealed class OwnEchoes
{
    /// <summary>The most copies waited for at once.</summary>
    public const int Max = 1_024;

    private readonly Lock gate = new();
    private readonly HashSet<long> waiting = [];
    private volatile int count;

    /// <summary>The copy of <paramref name="id"/> will come back: drop it then.</summary>
    public void Expect(long id)
    {
        lock (gate)
        {
            if (waiting.Count >= Max)
            {
                waiting.Clear();
            }

            waiting.Add(id);
            count = waiting.Count;
        }
    }

    /// <summary>True (once) when <paramref name="id"/> is the copy of an own direct message.</summary>
    public bool TryTake(long id)
    {
        if (count == 0 || id <= 0)
        {
            return false;
        }

        lock (gate)
        {
            var taken = waiting.Remove(id);
            count = waiting.Count;
            return taken;
        }
    }
}
