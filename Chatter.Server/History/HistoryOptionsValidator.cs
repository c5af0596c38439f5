using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.History;

/// <summary>
/// Checks <see cref="HistoryOptions"/> at start, naming each bad value by its key (<c>Chatter:History:ReplayLimit</c>),
/// and that the Redis history has a Redis to use (<paramref name="redis"/>: <c>Chatter:Redis</c> as configured).
/// </summary>
public sealed class HistoryOptionsValidator(RedisOptions redis)
    : ConfigurationKeyValidator<HistoryOptions>(new GeneratedHistoryOptionsValidator(), HistoryOptions.Section)
{
    protected override IEnumerable<string> Rules(HistoryOptions options)
    {
        if (!redis.IsConfigured && options.StoreWith(redis) == "redis")
        {
            yield return $"{RedisOptions.Section}:{nameof(RedisOptions.Configuration)} is required when {HistoryOptions.Section}:{nameof(HistoryOptions.Store)} is redis";
        }
    }
}

/// <summary>The checks of <see cref="HistoryOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedHistoryOptionsValidator : IValidateOptions<HistoryOptions>;
