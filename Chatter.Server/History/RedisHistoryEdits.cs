using System.Globalization;
using Chatter.Protocol;
using Chatter.Server.Backplane;
using StackExchange.Redis;

namespace Chatter.Server.History;

/// <summary>
/// Edits and deletes in the Redis history: one script each (<see cref="RedisHistoryScripts.Edit"/>,
/// <see cref="RedisHistoryScripts.Delete"/>), which find the message's thread through the id index, check its author and
/// change the row, the id index and the thread index in one atomic step.
/// </summary>
internal sealed class RedisHistoryEdits(RedisConnection redis, TimeProvider time)
{
    private readonly RedisKey idsKey = redis.KeyPrefix + "history:ids";
    private readonly RedisKey threadsKey = redis.KeyPrefix + "history:threads";
    private readonly string threadPrefix = redis.KeyPrefix + "history:thread:";

    public async ValueTask<ChatEditResult> EditAsync(ChatEdit edit)
    {
        var editedTs = UtcTimestampConverter.Truncate(time.GetUtcNow());
        var body = RedisHistoryRows.BodyAfterThread(edit.Message, edit.User, editedTs);
        var result = await RunAsync(RedisHistoryScripts.Edit, [idsKey], [threadPrefix, edit.Id, edit.User, body]);
        return (long)result[0] switch
        {
            1 => new ChatEditResult(ChatChangeOutcome.Done, new ChatMessage((string)result[1]!, edit.Message, edit.User, edit.Id, ParseTimestamp((string)result[2]!), editedTs)),
            2 => ChatEditResult.NotYours,
            _ => ChatEditResult.NotFound,
        };
    }

    public async ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete delete)
    {
        var result = await RunAsync(RedisHistoryScripts.Delete, [idsKey, threadsKey], [threadPrefix, delete.Id, delete.User, delete.AsAdmin ? 1 : 0]);
        return (long)result[0] switch
        {
            1 => new ChatDeleteResult(ChatChangeOutcome.Done, (string)result[1]!, (string)result[2]!),
            2 => new ChatDeleteResult(ChatChangeOutcome.NotYours, (string)result[1]!, (string)result[2]!),
            _ => ChatDeleteResult.NotFound,
        };
    }

    private static DateTimeOffset ParseTimestamp(string ts)
        => DateTimeOffset.ParseExact(ts, UtcTimestampConverter.Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private async Task<RedisResult[]> RunAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            return (RedisResult[])(await database.ScriptEvaluateAsync(script, keys, values))!;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            throw new ChatHistoryException("the Redis history did not make the change", ex);
        }
    }
}
