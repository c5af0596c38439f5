using Chatter.Server.History;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Chatter.Tests.History;

/// <summary>
/// Idempotent resends on PostgreSQL beyond the contract: one resend taken by two nodes at the same moment is stored once
/// (the lookup runs after the counter's lock, in a snapshot of its own); a resend in its original's batch; the window on a
/// fake clock.
/// </summary>
[CancelAfter(60_000)]
public sealed class PostgresResendTests : PostgresTestBase
{
    [Test]
    public async Task AResendTakenByTwoNodesAtOnceIsStoredOnce(CancellationToken ct)
    {
        var database = await Postgres.CreateDatabaseAsync(ct);
        var nodes = new[] { await Stores.StartAsync(database), await Stores.StartAsync(database) };
        var post = new ChatPost("t", "hello", "alice", "r1");

        // The counter's lock held from outside, so both nodes' transactions are under way and wait on it together: the
        // one granted second must see what the first committed, although its transaction began before that commit.
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync(ct);
        await using (var hold = await holder.BeginTransactionAsync(ct))
        {
            await using (var lockCounter = new NpgsqlCommand(PostgresBatch.Lock, holder, hold))
            {
                await lockCounter.ExecuteNonQueryAsync(ct);
            }

            var sends = nodes.Select(node => node.AppendAsync(post, ct).AsTask()).ToArray();
            await WaitForLockWaitersAsync(database, 2, ct);
            await hold.CommitAsync(ct);

            var posted = await Task.WhenAll(sends);
            Assert.That(posted.Select(p => p.Message).Distinct().Count(), Is.EqualTo(1), "both answered with one message (same id and ts)");
            Assert.That(posted.Count(p => p.Resent), Is.EqualTo(1), "one stored it, the other found it");
        }

        Assert.That(await nodes[1].GetPageAsync(null, null, 10, ct), Has.Count.EqualTo(1), "stored once");
    }

    [Test]
    public async Task ASecondPostWithTheSameRefInOneGroupCommitIsTheFirstsResend(CancellationToken ct)
    {
        var history = await Stores.StartAsync(await Postgres.CreateDatabaseAsync(ct));
        var batches = new PostgresHeldBatch(history);

        var first = history.AppendAsync("t", "first", "u", ct).AsTask();
        await batches.HeldAsync(ct);
        var posts = new[]
        {
            new ChatPost("t", "same", "alice", "r1"),
            new ChatPost("t", "other", "alice", null),
            new ChatPost("t", "same", "alice", "r1"),
            new ChatPost("t", "same", "bob", "r1"),
            new ChatPost("t", "same", "alice", "r1"),
        };
        var queued = posts.Select(post => history.AppendAsync(post, ct).AsTask()).ToList();
        batches.Release();
        await first;
        var posted = await Task.WhenAll(queued);

        Assert.That(batches.Sizes, Is.EqualTo(new[] { 1, 5 }), "the five went into one transaction");
        Assert.That(posted.Select(p => p.Resent), Is.EqualTo(new[] { false, false, true, false, true }));
        Assert.That(posted[2].Message, Is.EqualTo(posted[0].Message));
        Assert.That(posted[4].Message, Is.EqualTo(posted[0].Message));
        Assert.That(posted.Where(p => !p.Resent).Select(p => p.Message.Id), Is.EqualTo(new long[] { 2, 3, 4 }), "ids stay dense: a resend takes none");
        var replay = await history.GetReplayAsync(null, 100, 100, ct);
        Assert.That((replay.Messages.Count, replay.HighWater, replay.Complete), Is.EqualTo((4, 4L, true)));
    }

    [Test]
    public async Task AResendIsAnsweredWithinTheWindowAndStoredAgainPastIt(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var history = await Stores.StartAsync(await Postgres.CreateDatabaseAsync(ct), new HistoryOptions { DedupeMinutes = 10 }, clock);
        var post = new ChatPost("t", "hello", "alice", "r1");
        var original = await history.AppendAsync(post, ct);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.That(await history.AppendAsync(post, ct), Is.EqualTo(original with { Resent = true }), "within the window");
        clock.Advance(TimeSpan.FromMinutes(2));
        var past = await history.AppendAsync(post, ct);
        Assert.That((past.Resent, past.Message.Id > original.Message.Id), Is.EqualTo((false, true)), "past it");
        Assert.That(past.Message.Ts, Is.EqualTo(original.Message.Ts + TimeSpan.FromMinutes(11)), "stored at the clock's time");
    }

    /// <summary>Returns once <paramref name="count"/> sessions of the database wait on a lock.</summary>
    private static async Task WaitForLockWaitersAsync(string database, int count, CancellationToken ct)
    {
        // A connection of its own, outside any transaction: pg_stat_activity is read once per transaction.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock';", connection);
        // Each query is a round trip; the fixture's CancelAfter bounds the wait.
        while ((long)(await waiting.ExecuteScalarAsync(ct))! < count)
        {
            ct.ThrowIfCancellationRequested();
        }
    }
}
