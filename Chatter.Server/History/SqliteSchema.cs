using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The history database's schema and its migrations. The version lives in <c>schema_version</c>; an older file
/// is upgraded at start, a newer one (written by a later Chatter) is refused.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version this Chatter writes.</summary>
    public const int CurrentVersion = 3;

    private static readonly string[] Migrations =
    [
        // 1: messages, indexed for replay and paging by thread; threads, so a replay visits threads, not rows.
        """
        CREATE TABLE messages (
            id      INTEGER PRIMARY KEY AUTOINCREMENT,
            thread  TEXT    NOT NULL,
            message TEXT    NOT NULL,
            sender  TEXT    NOT NULL,
            ts      INTEGER NOT NULL
        );
        CREATE INDEX messages_thread_id ON messages (thread, id);
        CREATE INDEX messages_ts ON messages (ts);
        CREATE TABLE threads (
            name    TEXT    PRIMARY KEY,
            last_id INTEGER NOT NULL,
            count   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX threads_last_id ON threads (last_id);
        """,
        // 2: the client's ref of each message, found by sender and ref so a resend is answered with its original; meta,
        // one row: the epoch (the name of this file's history, new with the file) and the highest id retention removed,
        // so a replay can tell it left something out; read_markers, each user's newest message read per thread.
        """
        ALTER TABLE messages ADD COLUMN ref TEXT;
        CREATE INDEX messages_sender_ref ON messages (sender, ref) WHERE ref IS NOT NULL;
        CREATE TABLE meta (
            epoch          TEXT    NOT NULL,
            pruned_through INTEGER NOT NULL
        );
        INSERT INTO meta (epoch, pruned_through) VALUES (lower(hex(randomblob(16))), 0);
        CREATE TABLE read_markers (
            user   TEXT    NOT NULL,
            thread TEXT    NOT NULL,
            id     INTEGER NOT NULL,
            PRIMARY KEY (user, thread)
        ) WITHOUT ROWID;
        """,
        // 3: edited_ts, when a message's text was last edited (ms, null when never); member1/member2, the two users of a
        // direct-message thread (null for a public one), on messages and threads, so a reader sees only its own.
        """
        ALTER TABLE messages ADD COLUMN edited_ts INTEGER;
        ALTER TABLE messages ADD COLUMN member1 TEXT;
        ALTER TABLE messages ADD COLUMN member2 TEXT;
        ALTER TABLE threads ADD COLUMN member1 TEXT;
        ALTER TABLE threads ADD COLUMN member2 TEXT;
        """,
    ];

    /// <summary>Brings the database at <paramref name="connection"/> to <see cref="CurrentVersion"/>.</summary>
    /// <exception cref="InvalidDataException">The file is newer than this Chatter.</exception>
    public static void Migrate(SqliteConnection connection, string path)
    {
        Execute(connection, "PRAGMA journal_mode = WAL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT MAX(version) FROM schema_version;";
        var version = read.ExecuteScalar() is long v ? (int)v : 0;
        if (version > CurrentVersion)
        {
            throw new InvalidDataException(
                $"history database '{path}' has schema version {version}, newer than this Chatter understands ({CurrentVersion}); refusing to start rather than touch it");
        }

        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, Migrations[next - 1], transaction);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($version);";
            record.Parameters.AddWithValue("$version", next);
            record.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
