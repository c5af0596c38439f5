using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The history file and how every part of the SQLite store opens it: one connection string, the <c>synchronous</c>
/// setting on every connection, and reads that turn SQLite's errors into <see cref="ChatHistoryException"/>.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly HistoryOptions settings;
    private readonly string connectionString;

    public SqliteDatabase(HistoryOptions settings)
    {
        this.settings = settings;
        FilePath = Path.GetFullPath(settings.Path, Directory.GetCurrentDirectory());
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = settings.BusyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // FULL (default): a committed (acknowledged) message survives a crash of the process and of the machine.
        // NORMAL (Chatter:History:Synchronous): it survives a crash of the process; the machine's power loss may take the
        // newest commits (WAL: the file itself stays sound). No fsync per commit.
        pragma.CommandText = settings.Synchronous == "normal"
            ? "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;"
            : "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs <paramref name="query"/> on a pooled connection of its own.</summary>
    /// <exception cref="ChatHistoryException">SQLite failed.</exception>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Microsoft.Data.Sqlite has no truly asynchronous I/O; these are short index seeks.
            await using var connection = Open();
            return query(connection);
        }
        catch (SqliteException ex)
        {
            throw new ChatHistoryException($"history database '{FilePath}' could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>Closes the pooled connections, so the file can be moved or deleted.</summary>
    public void ClearPool()
    {
        using var pooled = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(pooled);
    }
}
