using Chatter.Protocol;
using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The SQLite writer's statements for read markers: one row per user and thread, moved only forward, at most
/// <see cref="IChatHistory.MaxReadMarkersPerUser"/> per user. Run inside the writer's group commit.
/// </summary>
internal sealed class SqliteReadMarkers : IDisposable
{
    private readonly SqliteCommand upsert;
    private readonly SqliteCommand exists;

    public SqliteReadMarkers(SqliteConnection connection)
    {
        upsert = connection.CreateCommand();
        upsert.CommandText = """
            INSERT INTO read_markers (user, thread, id)
            SELECT $user, $thread, $id
            WHERE (SELECT COUNT(*) FROM read_markers WHERE user = $user) < $max
               OR EXISTS (SELECT 1 FROM read_markers WHERE user = $user AND thread = $thread)
            ON CONFLICT (user, thread) DO UPDATE SET id = excluded.id WHERE excluded.id > read_markers.id;
            """;
        upsert.Parameters.Add("$user", SqliteType.Text);
        upsert.Parameters.Add("$thread", SqliteType.Text);
        upsert.Parameters.Add("$id", SqliteType.Integer);
        upsert.Parameters.AddWithValue("$max", IChatHistory.MaxReadMarkersPerUser);
        exists = connection.CreateCommand();
        exists.CommandText = "SELECT 1 FROM read_markers WHERE user = $user AND thread = $thread;";
        exists.Parameters.Add("$user", SqliteType.Text);
        exists.Parameters.Add("$thread", SqliteType.Text);
    }

    public ReadMarkerResult Set(string user, ReadMarker marker, SqliteTransaction transaction)
    {
        upsert.Transaction = transaction;
        upsert.Parameters["$user"].Value = user;
        upsert.Parameters["$thread"].Value = marker.Thread;
        upsert.Parameters["$id"].Value = marker.Id;
        if (upsert.ExecuteNonQuery() > 0)
        {
            return ReadMarkerResult.Moved;
        }

        exists.Transaction = transaction;
        exists.Parameters["$user"].Value = user;
        exists.Parameters["$thread"].Value = marker.Thread;
        return exists.ExecuteScalar() is null ? ReadMarkerResult.TooMany : ReadMarkerResult.Unchanged;
    }

    public void Dispose()
    {
        upsert.Dispose();
        exists.Dispose();
    }
}
