using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// The PostgreSQL store's schema and its migrations, versioned as <see cref="SqliteSchema"/> is: the version lives in
/// <c>schema_version</c>; an older database is upgraded at start, a newer one (written by a later Chatter) is refused.
/// Nodes starting together take a transaction-level advisory lock first, so one of them migrates and the others then
/// see the result.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version this Chatter writes.</summary>
    public const int CurrentVersion = 3;

    /// <summary>The advisory lock key of migrations (any constant; "chatter" in ASCII).</summary>
    private const long MigrationLock = 0x63_68_61_74_74_65_72;

    private static readonly string[] Migrations =
    [
        // 1: messages, indexed for replay and paging by thread; threads, so a replay visits threads, not rows; the one-row
        // id counter whose row lock orders commits (PostgresWriter); meta.epoch (a random id of this database) and
        // messages.ref with its (sender, ref) index, which finds a resend's original (PostgresBatch).
        """
        CREATE TABLE messages (
            id      bigint PRIMARY KEY,
            thread  text   NOT NULL,
            message text   NOT NULL,
            sender  text   NOT NULL,
            ts      bigint NOT NULL,
            ref     text
        );
        CREATE INDEX messages_thread_id ON messages (thread, id);
        CREATE INDEX messages_ts ON messages (ts);
        CREATE INDEX messages_sender_ref ON messages (sender, ref);
        CREATE TABLE threads (
            name    text   PRIMARY KEY,
            last_id bigint NOT NULL,
            count   bigint NOT NULL
        );
        CREATE INDEX threads_last_id ON threads (last_id);
        CREATE TABLE message_ids (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            last_id  bigint  NOT NULL
        );
        INSERT INTO message_ids (last_id) VALUES (0);
        CREATE TABLE meta (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            epoch    text    NOT NULL
        );
        INSERT INTO meta (epoch) VALUES (gen_random_uuid()::text);
        """,
        // 2: meta.pruned_through, the highest id retention removed, so a replay can tell it left something out (a version 1
        // database whose retention already removed messages starts at its counter: a replay since an older id is then
        // answered as not whole, never falsely as whole); read_markers, each user's newest message read per thread;
        // nullable member1/member2 (the pair of a direct message) and edited_ts (ms, as ts) on messages.
        """
        ALTER TABLE meta ADD COLUMN pruned_through bigint NOT NULL DEFAULT 0;
        UPDATE meta SET pruned_through = (
            SELECT CASE WHEN (SELECT count(*) FROM messages) < last_id THEN last_id ELSE 0 END FROM message_ids);
        CREATE TABLE read_markers (
            username text   NOT NULL,
            thread   text   NOT NULL,
            id       bigint NOT NULL,
            PRIMARY KEY (username, thread)
        );
        ALTER TABLE messages ADD COLUMN member1 text, ADD COLUMN member2 text, ADD COLUMN edited_ts bigint;
        """,
        // 3: the two users of a direct-message thread on its threads row too (null for a public one), so a replay visits
        // only the threads its reader may read.
        """
        ALTER TABLE threads ADD COLUMN member1 text, ADD COLUMN member2 text;
        """,
    ];

    /// <summary>Brings the database to <see cref="CurrentVersion"/> (tests: to <paramref name="target"/>, an older one).</summary>
    /// <exception cref="InvalidDataException">The database is newer than this Chatter.</exception>
    public static async Task MigrateAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken, int target = CurrentVersion)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken);
        await using (var read = new NpgsqlCommand("SELECT MAX(version) FROM schema_version;", connection))
        {
            var version = await read.ExecuteScalarAsync(cancellationToken) is int v ? v : 0;
            if (version > CurrentVersion)
            {
                throw new InvalidDataException(
                    $"history database '{name}' has schema version {version}, newer than this Chatter understands ({CurrentVersion}); refusing to start rather than touch it");
            }

            for (var next = version + 1; next <= target; next++)
            {
                await ExecuteAsync(connection, Migrations[next - 1], cancellationToken);
                await ExecuteAsync(connection, $"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({next});", cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
