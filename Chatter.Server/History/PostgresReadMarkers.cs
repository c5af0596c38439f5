using Chatter.Protocol;
using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// Read markers in PostgreSQL: one row per user and thread, moved only forward, at most
/// <see cref="IChatHistory.MaxReadMarkersPerUser"/> per user, shared by every node. Not through the writer: a marker is
/// one transaction of its own in one round trip (a read marker needs no place in the message order, so it never waits on
/// the counter's lock). The transaction first takes an advisory lock on its user, so two nodes setting markers of one user
/// at once run one after the other, and the count check and the upsert that follows it in a new statement (and so a new
/// snapshot) cannot both let a thousand-and-first thread in.
/// </summary>
internal sealed class PostgresReadMarkers(PostgresDatabase database)
{
    /// <summary>The advisory lock class of read markers (a constant; the second key is the user's hash).</summary>
    private const int LockClass = 0x72_65_61_64;

    /// <summary>
    /// Inserts the marker when the user has room or has one for the thread, else nothing; moves it only forward. Answers
    /// whether it moved and whether the user had one for the thread.
    /// </summary>
    private const string Upsert = """
        WITH existing AS (SELECT 1 FROM read_markers WHERE username = @user AND thread = @thread),
        moved AS (
            INSERT INTO read_markers (username, thread, id)
            SELECT @user, @thread, @id
            WHERE EXISTS (SELECT 1 FROM existing) OR (SELECT count(*) FROM read_markers WHERE username = @user) < @max
            ON CONFLICT (username, thread) DO UPDATE SET id = EXCLUDED.id WHERE EXCLUDED.id > read_markers.id
            RETURNING 1)
        SELECT EXISTS (SELECT 1 FROM moved), EXISTS (SELECT 1 FROM existing);
        """;

    /// <summary>Records that <paramref name="user"/> has read <see cref="ReadMarker.Thread"/> up to <see cref="ReadMarker.Id"/>.</summary>
    /// <exception cref="ChatHistoryException">PostgreSQL could not keep it.</exception>
    public async ValueTask<ReadMarkerResult> SetAsync(string user, ReadMarker marker, CancellationToken cancellationToken)
    {
        if ((PostgresText.Refusal(user) ?? PostgresText.Refusal(marker.Thread)) is { } refusal)
        {
            throw new ChatHistoryException($"read marker not stored: {refusal}");
        }

        return await database.ReadAsync(async connection =>
        {
            await using var set = new NpgsqlBatch(connection);
            set.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN;"));
            set.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO on;"));
            var lockUser = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@user));");
            lockUser.Parameters.AddWithValue("class", LockClass);
            lockUser.Parameters.AddWithValue("user", user);
            set.BatchCommands.Add(lockUser);
            var upsert = new NpgsqlBatchCommand(Upsert);
            upsert.Parameters.AddWithValue("user", user);
            upsert.Parameters.AddWithValue("thread", marker.Thread);
            upsert.Parameters.AddWithValue("id", marker.Id);
            upsert.Parameters.AddWithValue("max", (long)IChatHistory.MaxReadMarkersPerUser);
            set.BatchCommands.Add(upsert);
            set.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT;"));

            bool? moved = null, existed = null;
            await using (var reader = await set.ExecuteReaderAsync(cancellationToken))
            {
                do
                {
                    if (reader.FieldCount == 2 && await reader.ReadAsync(cancellationToken))
                    {
                        (moved, existed) = (reader.GetBoolean(0), reader.GetBoolean(1));
                    }
                }
                while (await reader.NextResultAsync(cancellationToken));
            }

            return (moved, existed) switch
            {
                (true, _) => ReadMarkerResult.Moved,
                (false, true) => ReadMarkerResult.Unchanged,
                (false, false) => ReadMarkerResult.TooMany,
                _ => throw new InvalidOperationException("the read marker statement returned no row"),
            };
        }, cancellationToken);
    }
}
