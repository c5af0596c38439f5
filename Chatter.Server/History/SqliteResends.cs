using Chatter.Protocol;
using Microsoft.Data.Sqlite;

namespace Chatter.Server.History;

/// <summary>
/// The SQLite writer's lookup of a resend: the newest message of the post's sender with its ref, thread and text stored
/// within the dedupe window (the partial index on sender and ref finds it). Run inside the writer's transaction, so it
/// sees the rows that transaction inserted: a resend in the same batch as its original is found too.
/// </summary>
internal sealed class SqliteResends : IDisposable
{
    private readonly SqliteCommand original;

    public SqliteResends(SqliteConnection connection)
    {
        original = connection.CreateCommand();
        original.CommandText = "SELECT id, ts FROM messages WHERE sender = $sender AND ref = $ref AND thread = $thread AND message = $message AND ts >= $since ORDER BY id DESC LIMIT 1;";
        original.Parameters.Add("$sender", SqliteType.Text);
        original.Parameters.Add("$ref", SqliteType.Text);
        original.Parameters.Add("$thread", SqliteType.Text);
        original.Parameters.Add("$message", SqliteType.Text);
        original.Parameters.Add("$since", SqliteType.Integer);
    }

    /// <summary>The stored message <paramref name="post"/> repeats, stored at or after <paramref name="since"/>; null when none.</summary>
    public ChatMessage? Original(ChatPost post, DateTimeOffset since, SqliteTransaction transaction)
    {
        original.Transaction = transaction;
        original.Parameters["$sender"].Value = post.From;
        original.Parameters["$ref"].Value = post.Ref;
        original.Parameters["$thread"].Value = post.Thread;
        original.Parameters["$message"].Value = post.Message;
        original.Parameters["$since"].Value = since.ToUnixTimeMilliseconds();
        using var found = original.ExecuteReader();
        return found.Read()
            ? new ChatMessage(post.Thread, post.Message, post.From, found.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(found.GetInt64(1)))
            : null;
    }

    public void Dispose() => original.Dispose();
}
