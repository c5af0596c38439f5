using Chatter.Protocol;
using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The SQLite writer's statements for edits and deletes, run inside its group commit (so the author check and the change
/// are one step, and commit with the posts of the batch). A delete's thread bookkeeping (<c>threads.count</c> and
/// <c>last_id</c>, which the replay's thread list and retention rely on) is applied once per thread after the batch's
/// own thread updates, with <see cref="ApplyThreadCounts"/>.
/// </summary>
internal sealed class SqliteEdits : IDisposable
{
    private readonly SqliteCommand edit;
    private readonly SqliteCommand find;
    private readonly SqliteCommand delete;
    private readonly SqliteCommand recount;
    private readonly Dictionary<string, int> deletedPerThread = new(StringComparer.Ordinal);

    public SqliteEdits(SqliteConnection connection)
    {
        edit = connection.CreateCommand();
        edit.CommandText = "UPDATE messages SET message = $message, edited_ts = $edited WHERE id = $id AND sender = $user RETURNING thread, ts;";
        edit.Parameters.Add("$message", SqliteType.Text);
        edit.Parameters.Add("$edited", SqliteType.Integer);
        edit.Parameters.Add("$id", SqliteType.Integer);
        edit.Parameters.Add("$user", SqliteType.Text);
        find = connection.CreateCommand();
        find.CommandText = "SELECT thread, sender FROM messages WHERE id = $id;";
        find.Parameters.Add("$id", SqliteType.Integer);
        delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM messages WHERE id = $id;";
        delete.Parameters.Add("$id", SqliteType.Integer);
        recount = connection.CreateCommand();
        // The thread's newest id again (an index seek on (thread, id)), so the replay's thread list stays exact.
        recount.CommandText = """
            UPDATE threads SET count = count - $n, last_id = COALESCE((SELECT MAX(id) FROM messages WHERE thread = $thread), last_id) WHERE name = $thread;
            DELETE FROM threads WHERE name = $thread AND count <= 0;
            """;
        recount.Parameters.Add("$n", SqliteType.Integer);
        recount.Parameters.Add("$thread", SqliteType.Text);
    }

    /// <summary>Replaces the text when <see cref="ChatEdit.User"/> wrote the message; <paramref name="now"/> is its edited time.</summary>
    public ChatEditResult Edit(ChatEdit change, DateTimeOffset now, SqliteTransaction transaction)
    {
        edit.Transaction = transaction;
        edit.Parameters["$message"].Value = change.Message;
        edit.Parameters["$edited"].Value = now.ToUnixTimeMilliseconds();
        edit.Parameters["$id"].Value = change.Id;
        edit.Parameters["$user"].Value = change.User;
        using (var row = edit.ExecuteReader())
        {
            if (row.Read())
            {
                var message = new ChatMessage(row.GetString(0), change.Message, change.User, change.Id, DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1)), now);
                return new ChatEditResult(ChatChangeOutcome.Done, message);
            }
        }

        return Find(change.Id, transaction) is null ? ChatEditResult.NotFound : ChatEditResult.NotYours;
    }

    /// <summary>Removes the message when <see cref="ChatDelete.User"/> wrote it or is an admin.</summary>
    public ChatDeleteResult Delete(ChatDelete change, SqliteTransaction transaction)
    {
        if (Find(change.Id, transaction) is not var (thread, author))
        {
            return ChatDeleteResult.NotFound;
        }

        if (author != change.User && !change.AsAdmin)
        {
            return new ChatDeleteResult(ChatChangeOutcome.NotYours, thread, author);
        }

        delete.Transaction = transaction;
        delete.Parameters["$id"].Value = change.Id;
        delete.ExecuteNonQuery();
        deletedPerThread[thread] = deletedPerThread.GetValueOrDefault(thread) + 1;
        return new ChatDeleteResult(ChatChangeOutcome.Done, thread, author);
    }

    /// <summary>Lowers the counts (and the newest ids) of the threads the batch deleted from; call after the batch's own thread updates.</summary>
    public void ApplyThreadCounts(SqliteTransaction transaction)
    {
        recount.Transaction = transaction;
        foreach (var (thread, count) in deletedPerThread)
        {
            recount.Parameters["$n"].Value = count;
            recount.Parameters["$thread"].Value = thread;
            recount.ExecuteNonQuery();
        }

        deletedPerThread.Clear();
    }

    /// <summary>Forgets the counts of a batch that was rolled back.</summary>
    public void Reset() => deletedPerThread.Clear();

    public void Dispose()
    {
        edit.Dispose();
        find.Dispose();
        delete.Dispose();
        recount.Dispose();
    }

    private (string Thread, string Author)? Find(long id, SqliteTransaction transaction)
    {
        find.Transaction = transaction;
        find.Parameters["$id"].Value = id;
        using var row = find.ExecuteReader();
        return row.Read() ? (row.GetString(0), row.GetString(1)) : null;
    }
}
