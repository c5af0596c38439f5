using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// Retention of the SQLite store: <c>Chatter:History:MaxPerThread</c> and <c>MaxAgeDays</c>, applied every
/// <c>PruneIntervalSeconds</c> in small transactions (a chunk of rows each), so that the writer is never held up for long.
/// </summary>
internal sealed class SqliteRetention(SqliteDatabase database, HistoryOptions settings, TimeProvider time, ILogger logger)
{
    private const int PruneChunk = 2_000;

    /// <summary>Applies the limits now; returns the rows deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        return await database.ReadAsync(connection =>
        {
            long deleted = 0;
            var over = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM threads WHERE count > $max;";
                list.Parameters.AddWithValue("$max", settings.MaxPerThread);
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    over.Add(reader.GetString(0));
                }
            }

            foreach (var thread in over)
            {
                // Everything at or below the id of the (max+1)-th newest message goes, a chunk at a time.
                deleted += DeleteInChunks(connection, thread, "id <= (SELECT id FROM messages WHERE thread = $thread ORDER BY id DESC LIMIT 1 OFFSET $max)", cancellationToken);
            }

            if (settings.MaxAgeDays > 0)
            {
                var cutoff = (time.GetUtcNow() - TimeSpan.FromDays(settings.MaxAgeDays)).ToUnixTimeMilliseconds();
                deleted += DeleteInChunks(connection, null, "ts < $cutoff", cancellationToken, cutoff);
            }

            return deleted;
        }, cancellationToken);
    }

    /// <summary>Prunes every <c>PruneIntervalSeconds</c> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
        => RetentionLoop.RunAsync(PruneAsync, TimeSpan.FromSeconds(settings.PruneIntervalSeconds), time, logger, cancellationToken);

    private long DeleteInChunks(SqliteConnection connection, string? thread, string condition, CancellationToken cancellationToken, long cutoff = 0)
    {
        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var transaction = connection.BeginTransaction();
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            var scope = thread is null ? "" : "thread = $thread AND ";
            delete.CommandText = $"""
                DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE {scope}{condition} ORDER BY id LIMIT $chunk)
                RETURNING thread, id;
                """;
            delete.Parameters.AddWithValue("$chunk", PruneChunk);
            delete.Parameters.AddWithValue("$max", settings.MaxPerThread);
            delete.Parameters.AddWithValue("$cutoff", cutoff);
            if (thread is not null)
            {
                delete.Parameters.AddWithValue("$thread", thread);
            }

            var perThread = new Dictionary<string, long>(StringComparer.Ordinal);
            long prunedThrough = 0;
            using (var reader = delete.ExecuteReader())
            {
                while (reader.Read())
                {
                    var name = reader.GetString(0);
                    perThread[name] = perThread.GetValueOrDefault(name) + 1;
                    prunedThrough = Math.Max(prunedThrough, reader.GetInt64(1));
                }
            }

            // A replay since an id below this one can no longer be whole.
            using (var mark = connection.CreateCommand())
            {
                mark.Transaction = transaction;
                mark.CommandText = "UPDATE meta SET pruned_through = MAX(pruned_through, $id);";
                mark.Parameters.AddWithValue("$id", prunedThrough);
                mark.ExecuteNonQuery();
            }

            using var recount = connection.CreateCommand();
            recount.Transaction = transaction;
            recount.CommandText = "UPDATE threads SET count = count - $n WHERE name = $name; DELETE FROM threads WHERE name = $name AND count <= 0;";
            var n = recount.Parameters.Add("$n", SqliteType.Integer);
            var name2 = recount.Parameters.Add("$name", SqliteType.Text);
            foreach (var (name, count) in perThread)
            {
                n.Value = count;
                name2.Value = name;
                recount.ExecuteNonQuery();
            }

            transaction.Commit();
            var chunk = perThread.Values.Sum();
            deleted += chunk;
            if (chunk < PruneChunk)
            {
                break;
            }
        }

        return deleted;
    }
}
