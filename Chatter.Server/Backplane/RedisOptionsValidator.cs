using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Backplane;

/// <summary>
/// The checks on <c>Chatter:Redis</c> that attributes cannot state: the configuration string parses, and the Redis history
/// has a Redis to use. Errors name the configuration key, as <see cref="ChatterOptionsValidator"/>'s do.
/// </summary>
public sealed class RedisOptionsValidator : IValidateOptions<ChatterOptions>
{
    private const string ConfigurationKey = ChatterOptions.Section + ":Redis:Configuration";

    public ValidateOptionsResult Validate(string? name, ChatterOptions options)
    {
        if (options.Redis.IsConfigured)
        {
            try
            {
                _ = RedisConnection.CreateConfiguration(options.Redis);
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail($"{ConfigurationKey} is invalid: {ex.Message}");
            }
        }
        else if (options.HistoryStore == "redis")
        {
            return ValidateOptionsResult.Fail($"{ConfigurationKey} is required when {ChatterOptions.Section}:History:Store is redis");
        }

        return ValidateOptionsResult.Success;
    }
}
