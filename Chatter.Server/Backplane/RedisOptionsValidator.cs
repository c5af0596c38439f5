using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Backplane;

/// <summary>
/// Checks <see cref="RedisOptions"/> at start, naming each bad value by its key (<c>Chatter:Redis:ChannelPrefix</c>), and
/// what attributes cannot state: the configuration string parses. (That the Redis history has a Redis to use is
/// <c>History.HistoryOptionsValidator</c>'s check.)
/// </summary>
public sealed class RedisOptionsValidator() : ConfigurationKeyValidator<RedisOptions>(new GeneratedRedisOptionsValidator(), RedisOptions.Section)
{
    private const string ConfigurationKey = RedisOptions.Section + ":" + nameof(RedisOptions.Configuration);

    protected override IEnumerable<string> Rules(RedisOptions options)
    {
        if (!options.IsConfigured)
        {
            yield break;
        }

        string? failure = null;
        try
        {
            _ = RedisConnection.CreateConfiguration(options);
        }
        catch (ArgumentException ex)
        {
            failure = $"{ConfigurationKey} is invalid: {ex.Message}";
        }

        if (failure is not null)
        {
            yield return failure;
        }
    }
}

/// <summary>The checks of <see cref="RedisOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedRedisOptionsValidator : IValidateOptions<RedisOptions>;
