using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// Retention of the PostgreSQL store, as <see cref="SqliteRetention"/>: <c>Chatter:History:MaxPerThread</c> and
/// <c>MaxAgeDays</c>, applied every <c>PruneIntervalSeconds</c> in small transactions (a chunk of rows each). Every node
/// prunes; two doing it at once delete each row once (a <c>DELETE … RETURNING</c> returns only the rows it removed, and
/// only those are taken off the thread's count). Deletes never lower the id counter; each raises <c>meta.pruned_through</c>
/// to the highest id it removed, in its transaction.
/// </summary>
internal sealed class PostgresRetention(PostgresDatabase database, HistoryOptions settings, TimeProvider time, ILogger logger)
{
    private const int PruneChunk = 2_000;

    /// <summary>Applies the limits now; returns the rows deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            long deleted = 0;
            var over = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT name FROM threads WHERE count > @max;", connection))
            {
                list.Parameters.AddWithValue("max", (long)settings.MaxPerThread);
                await using var reader = await list.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    over.Add(reader.GetString(0));
                }
            }

            foreach (var thread in over)
            {
                // Everything at or below the id of the (max+1)-th newest message goes, a chunk at a time.
                deleted += await DeleteInChunksAsync(
                    connection,
                    "thread = @thread AND id <= (SELECT id FROM messages WHERE thread = @thread ORDER BY id DESC LIMIT 1 OFFSET @max)",
                    command => command.Parameters.AddWithValue("thread", thread),
                    cancellationToken);
            }

            if (settings.MaxAgeDays > 0)
            {
                var cutoff = (time.GetUtcNow() - TimeSpan.FromDays(settings.MaxAgeDays)).ToUnixTimeMilliseconds();
                deleted += await DeleteInChunksAsync(connection, "ts < @cutoff", command => command.Parameters.AddWithValue("cutoff", cutoff), cancellationToken);
            }

            return deleted;
        }, cancellationToken);

    /// <summary>Prunes every <c>PruneIntervalSeconds</c> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
        => RetentionLoop.RunAsync(PruneAsync, TimeSpan.FromSeconds(settings.PruneIntervalSeconds), time, logger, cancellationToken);

    private async Task<long> DeleteInChunksAsync(NpgsqlConnection connection, string condition, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var perThread = new Dictionary<string, long>(StringComparer.Ordinal);
            long prunedThrough = 0;
            await using (var delete = new NpgsqlCommand(
                $"DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE {condition} ORDER BY id LIMIT @chunk) RETURNING thread, id;",
                connection,
                transaction))
            {
                delete.Parameters.AddWithValue("chunk", PruneChunk);
                delete.Parameters.AddWithValue("max", (long)settings.MaxPerThread);
                bind(delete);
                await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var name = reader.GetString(0);
                    perThread[name] = perThread.GetValueOrDefault(name) + 1;
                    prunedThrough = Math.Max(prunedThrough, reader.GetInt64(1));
                }
            }

            if (perThread.Count > 0)
            {
                // One thread row after the other, in name order, as the writers lock them: the two never deadlock.
                await using var recount = new NpgsqlBatch(connection, transaction);
                foreach (var (name, count) in perThread.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    var update = new NpgsqlBatchCommand("UPDATE threads SET count = count - @n WHERE name = @name;");
                    update.Parameters.AddWithValue("n", count);
                    update.Parameters.AddWithValue("name", name);
                    recount.BatchCommands.Add(update);
                }

                var empty = new NpgsqlBatchCommand("DELETE FROM threads WHERE name = ANY(@names) AND count <= 0;");
                empty.Parameters.AddWithValue("names", perThread.Keys.ToArray());
                recount.BatchCommands.Add(empty);
                // In the same transaction as the delete: a replay since an id below this one can no longer be whole, and
                // no snapshot sees the rows gone without the mark (the replay reads both in one statement).
                var mark = new NpgsqlBatchCommand("UPDATE meta SET pruned_through = GREATEST(pruned_through, @id);");
                mark.Parameters.AddWithValue("id", prunedThrough);
                recount.BatchCommands.Add(mark);
                await recount.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
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
