using Chatter.Protocol;
using StackExchange.Redis;
using Log = Chatter.Server.History.HistoryLog;

namespace Chatter.Server.History;

/// <summary>Reads the message rows a Redis script or range returned; a row that is not a message is skipped and logged (throttled).</summary>
internal sealed class RedisRowReader(TimeProvider time, ILogger logger)
{
    private readonly FailureThrottle corruptRows = new(time, TimeSpan.FromSeconds(60));

    public List<ChatMessage> Messages(RedisResult[] rows, int first)
    {
        var values = new RedisValue[rows.Length - first];
        for (var i = first; i < rows.Length; i++)
        {
            values[i - first] = (RedisValue)rows[i];
        }

        return Messages(values, 0);
    }

    /// <summary>The messages among <paramref name="rows"/> (from index <paramref name="first"/>), in order; others skipped and logged.</summary>
    public List<ChatMessage> Messages(RedisValue[] rows, int first)
    {
        var messages = new List<ChatMessage>(rows.Length - first);
        var skipped = 0;
        for (var i = first; i < rows.Length; i++)
        {
            if (RedisHistoryRows.TryParse(rows[i], out var message))
            {
                messages.Add(message);
            }
            else
            {
                skipped++;
            }
        }

        if (skipped > 0 && corruptRows.ShouldLog(out var suppressed))
        {
            Log.RedisRowsSkipped(logger, skipped, suppressed);
        }

        return messages;
    }
}
