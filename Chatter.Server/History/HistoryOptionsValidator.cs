using Chatter.Server.Backplane;
using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.History;

/// <summary>
/// Checks <see cref="HistoryOptions"/> at start, naming each bad value by its key (<c>Chatter:History:ReplayLimit</c>),
/// that the Redis history has a Redis to use (<paramref name="redis"/>: <c>Chatter:Redis</c> as configured), and that the
/// PostgreSQL history has a connection string that parses.
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

        if (options.StoreWith(redis) == "postgres" && PostgresConnectionProblem(options.ConnectionString) is { } problem)
        {
            yield return $"{HistoryOptions.Section}:{nameof(HistoryOptions.ConnectionString)} {problem}";
        }
    }

    private static string? PostgresConnectionProblem(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return $"is required when {HistoryOptions.Section}:{nameof(HistoryOptions.Store)} is postgres (Host=...;Database=...;Username=...;Password=...)";
        }

        try
        {
            var parsed = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrEmpty(parsed.Host) ? "names no Host" : null;
        }
        catch (ArgumentException ex)
        {
            // The parser's reason names the keyword, never the value (which may be a password).
            return $"is not a valid Npgsql connection string: {ex.Message}";
        }
    }
}

/// <summary>The checks of <see cref="HistoryOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedHistoryOptionsValidator : IValidateOptions<HistoryOptions>;
