using Chatter.Server.History;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.History;

/// <summary>
/// Replay and paging on a file of 300,000 messages: right answers, and every read-path query seeks an index
/// (its plan has no full scan of messages), so its cost does not grow with the file. Timings are in BENCHMARKS.md.
/// </summary>
[CancelAfter(120_000)]
public class LargeHistoryTests
{
    private const int Rows = 300_000;
    private const int Threads = 100;

    [Test]
    public async Task ReplayAndPagingSeekIndexesAndAnswerRightOnALargeFile(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        var options = new HistoryOptions();
        options.Path = Path.Combine(directory, "chatter.db");
        options.MaxPerThread = Rows;
        var history = new SqliteChatHistory(Options.Create(options), TimeProvider.System, NullLogger<SqliteChatHistory>.Instance);
        await history.StartAsync(ct);
        try
        {
            await FillAsync(options.Path, ct);

            var replay = (await history.GetReplayAsync(null, 100, 1000, ct)).Messages;
            Assert.That(replay, Has.Count.EqualTo(1000));
            Assert.That(replay.Select(m => m.Id), Is.EqualTo(Enumerable.Range(Rows - 999, 1000).Select(i => (long)i)));

            var since = (await history.GetReplayAsync(Rows - 5, 100, 1000, ct)).Messages;
            Assert.That(since.Select(m => m.Id), Is.EqualTo(new long[] { Rows - 4, Rows - 3, Rows - 2, Rows - 1, Rows }));

            var page = await history.GetPageAsync("t7", 1000, 3, ct);
            Assert.That(page.Select(m => m.Id), Is.EqualTo(new long[] { 707, 807, 907 }));

            var appended = await history.AppendAsync("t7", "after", "u", ct);
            Assert.That(appended.Id, Is.EqualTo(Rows + 1));

            await using var connection = new SqliteConnection($"Data Source={options.Path};Pooling=False");
            await connection.OpenAsync(ct);
            foreach (var sql in new[] { SqliteQueries.Sql.ReplayThreads, SqliteQueries.Sql.ReplayThread, SqliteQueries.Sql.PageAll, SqliteQueries.Sql.PageThread })
            {
                var plan = await PlanAsync(connection, sql, ct);
                Assert.That(plan, Does.Not.Match(@"SCAN (messages|threads)\b(?! USING)"), $"{sql}\n{plan}");
                Assert.That(plan, Does.Contain("USING").IgnoreCase, $"{sql}\n{plan}");
            }
        }
        finally
        {
            await history.StopAsync(CancellationToken.None);
            history.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task FillAsync(string file, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO messages (id, thread, message, sender, ts) VALUES ($id, $thread, 'x', 'u', 0);";
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var thread = insert.Parameters.Add("$thread", SqliteType.Text);
        for (var i = 1; i <= Rows; i++)
        {
            id.Value = i;
            thread.Value = $"t{i % Threads}";
            insert.ExecuteNonQuery();
        }

        await using var threads = connection.CreateCommand();
        threads.Transaction = transaction;
        threads.CommandText = "INSERT INTO threads (name, last_id, count) SELECT thread, MAX(id), COUNT(*) FROM messages GROUP BY thread;";
        await threads.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static async Task<string> PlanAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "$since", "$total", "$thread", "$limit", "$before" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                explain.Parameters.AddWithValue(name, name == "$thread" ? "t1" : 1);
            }
        }

        var plan = new System.Text.StringBuilder();
        await using var reader = await explain.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            plan.AppendLine(reader.GetString(3));
        }

        return plan.ToString();
    }
}
