namespace Chatter.Server.History;

/// <summary>Lets a failure be logged once per burst: at most once per interval, with the count of those not logged.</summary>
internal sealed class FailureThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly Lock gate = new();
    private long nextLogAt;
    private int suppressed;

    public bool ShouldLog(out int suppressedSinceLast)
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (now >= nextLogAt)
            {
                nextLogAt = now + (long)(interval.TotalSeconds * time.TimestampFrequency);
                suppressedSinceLast = suppressed;
                suppressed = 0;
                return true;
            }

            suppressed++;
            suppressedSinceLast = 0;
            return false;
        }
    }
}
