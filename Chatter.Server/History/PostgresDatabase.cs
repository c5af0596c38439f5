using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// The PostgreSQL database (<c>Chatter:History:ConnectionString</c>) and how every part of the PostgreSQL store reaches
/// it: one pooled data source, reads that turn Npgsql's errors into <see cref="ChatHistoryException"/>, and a pool that is
/// emptied when the server went away, so that the first use after it returns does not meet a dead connection.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource source;

    public PostgresDatabase(HistoryOptions settings)
    {
        var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        // Never the password: this names the database in logs and errors.
        Name = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        // Every statement is a short index seek; PostgreSQL's JIT, triggered by cost estimates (high on tables autovacuum
        // has not analyzed yet), would spend hundreds of milliseconds compiling each replay. Off for Chatter's sessions.
        builder.Options = $"{builder.Options} -c jit=off".Trim();
        source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary><c>host:port/database</c>, for logs and errors (no credentials).</summary>
    public string Name { get; }

    /// <summary>A connection from the pool.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        => await source.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs <paramref name="query"/> on a pooled connection of its own.</summary>
    /// <exception cref="ChatHistoryException">PostgreSQL failed or could not be reached.</exception>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> query, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await query(connection);
        }
        catch (Exception ex) when (IsFailure(ex))
        {
            Forget(ex);
            throw new ChatHistoryException($"history database '{Name}' could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// What PostgreSQL or the way to it can throw: a refusal (<see cref="PostgresException"/>), a lost or refused
    /// connection, a timeout (all <see cref="NpgsqlException"/>).
    /// </summary>
    public static bool IsFailure(Exception ex) => ex is NpgsqlException or TimeoutException;

    /// <summary>
    /// After <paramref name="failure"/>: when it was the connection (not a refusal by a live server), closes every idle
    /// pooled connection, which a restarted or unreachable server has made useless.
    /// </summary>
    public void Forget(Exception failure)
    {
        if (failure is not PostgresException)
        {
            source.Clear();
        }
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}
