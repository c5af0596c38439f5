using Chatter.Protocol;
using Npgsql;

namespace Chatter.Server.History;

/// <summary>
/// Edits and deletes in PostgreSQL, each one statement (so one snapshot and one round trip, committed with
/// <c>synchronous_commit</c> on, as the session is opened): the message's row is locked, its author checked and the
/// change made together. Not through the writer: a change takes no id, so it never waits on the counter's lock.
/// A delete lowers its thread's count and moves its <c>last_id</c> to the newest message left (0 when none, so a
/// replay no longer visits it).
/// </summary>
internal sealed class PostgresEdits(PostgresDatabase database, TimeProvider time)
{
    private const string Edit = """
        WITH target AS (SELECT id, sender FROM messages WHERE id = @id FOR UPDATE),
        changed AS (
            UPDATE messages m SET message = @message, edited_ts = @ts FROM target
            WHERE m.id = target.id AND target.sender = @user
            RETURNING m.id, m.thread, m.message, m.sender, m.ts, m.edited_ts)
        SELECT (SELECT sender FROM target), c.id, c.thread, c.message, c.sender, c.ts, c.edited_ts
        FROM (SELECT 1) one LEFT JOIN changed c ON true;
        """;

    private const string Delete = """
        WITH target AS (SELECT id, thread, sender FROM messages WHERE id = @id FOR UPDATE),
        gone AS (
            DELETE FROM messages m USING target
            WHERE m.id = target.id AND (target.sender = @user OR @admin)
            RETURNING m.thread),
        thread AS (
            UPDATE threads t SET count = t.count - 1,
                last_id = COALESCE((SELECT max(id) FROM messages WHERE thread = t.name AND id <> @id), 0)
            FROM gone WHERE t.name = gone.thread
            RETURNING t.name)
        SELECT (SELECT thread FROM target), (SELECT sender FROM target), EXISTS (SELECT 1 FROM gone), (SELECT count(*) FROM thread);
        """;

    /// <exception cref="ChatHistoryException">PostgreSQL failed, or cannot hold the new text.</exception>
    public async ValueTask<ChatEditResult> EditAsync(ChatEdit edit, CancellationToken cancellationToken)
    {
        if (PostgresText.Refusal(edit.Message) is { } refusal)
        {
            throw new ChatHistoryException($"message not edited: {refusal}");
        }

        var now = UtcTimestampConverter.Truncate(time.GetUtcNow());
        return await database.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(Edit, connection);
            command.Parameters.AddWithValue("id", edit.Id);
            command.Parameters.AddWithValue("user", edit.User);
            command.Parameters.AddWithValue("message", edit.Message);
            command.Parameters.AddWithValue("ts", now.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.IsDBNull(0))
            {
                return ChatEditResult.NotFound;
            }

            if (reader.IsDBNull(1))
            {
                return ChatEditResult.NotYours;
            }

            return new ChatEditResult(ChatChangeOutcome.Done, new ChatMessage(
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }, cancellationToken);
    }

    /// <exception cref="ChatHistoryException">PostgreSQL failed.</exception>
    public async ValueTask<ChatDeleteResult> DeleteAsync(ChatDelete removal, CancellationToken cancellationToken)
        => await database.ReadAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(Delete, connection);
            command.Parameters.AddWithValue("id", removal.Id);
            command.Parameters.AddWithValue("user", removal.User);
            command.Parameters.AddWithValue("admin", removal.AsAdmin);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.IsDBNull(0))
            {
                return ChatDeleteResult.NotFound;
            }

            var (thread, author) = (reader.GetString(0), reader.GetString(1));
            return new ChatDeleteResult(reader.GetBoolean(2) ? ChatChangeOutcome.Done : ChatChangeOutcome.NotYours, thread, author);
        }, cancellationToken);
}
