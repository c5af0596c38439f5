using System.Diagnostics;
using System.Globalization;
using Chatter.Server.Backplane;
using Chatter.Server.History;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chatter.Bench.Store;

/// <summary>
/// <c>store --rows N [--threads T] [--writers W] [--path FILE | --redis HOST:PORT | --postgres CONNECTION-STRING]</c>: appends
/// N messages through the real <see cref="SqliteChatHistory"/> (group commit), <see cref="RedisChatHistory"/> or
/// <see cref="PostgresChatHistory"/> (group commit; the database must exist and be empty) from W concurrent writers, then times the login replay and
/// <c>GetHistory</c> pages on the full file. Prints a table and one JSON line.
/// </summary>
internal static class StoreBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> args)
    {
        var rows = int.Parse(args.GetValueOrDefault("rows", "1000000"), CultureInfo.InvariantCulture);
        var threads = int.Parse(args.GetValueOrDefault("threads", "100"), CultureInfo.InvariantCulture);
        var writers = int.Parse(args.GetValueOrDefault("writers", "64"), CultureInfo.InvariantCulture);
        var path = args.GetValueOrDefault("path", Path.Combine(Path.GetTempPath(), $"chatter-bench-{Guid.NewGuid():N}.db"));

        var options = new HistoryOptions { Path = path, MaxPerThread = int.MaxValue / 2 };
        // --redis HOST:PORT: the Redis history instead, under a prefix of its own, removed at the end.
        var redisConfiguration = args.GetValueOrDefault("redis");
        RedisConnection? redis = null;
        var postgres = args.GetValueOrDefault("postgres");
        var store = postgres is not null ? "postgres" : redisConfiguration is not null ? "redis" : "sqlite";
        IChatHistory history;
        if (postgres is not null)
        {
            options.Store = "postgres";
            options.ConnectionString = postgres;
            var pg = new PostgresChatHistory(Options.Create(options), TimeProvider.System, NullLogger<PostgresChatHistory>.Instance);
            await pg.StartAsync(CancellationToken.None);
            history = pg;
        }
        else if (redisConfiguration is null)
        {
            var sqlite = new SqliteChatHistory(Options.Create(options), TimeProvider.System, NullLogger<SqliteChatHistory>.Instance);
            await sqlite.StartAsync(CancellationToken.None);
            history = sqlite;
        }
        else
        {
            var redisOptions = new RedisOptions
            {
                Configuration = redisConfiguration + ",allowAdmin=true",  // INFO memory, for the size line
                ChannelPrefix = $"bench-{Guid.NewGuid():N}",
            };
            redis = new RedisConnection(Options.Create(redisOptions), NullLogger<RedisConnection>.Instance);
            history = new RedisChatHistory(redis, Options.Create(options), TimeProvider.System, NullLogger<RedisChatHistory>.Instance);
        }

        var write = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < rows)
            {
                await history.AppendAsync($"t{i % threads}", "a benchmark message of a typical length, about sixty chars", "bench", CancellationToken.None);
            }
        })));
        write.Stop();

        var replay = await TimeAsync(() => history.GetReplayAsync(null, 100, 1000, CancellationToken.None).AsTask());
        var since = await TimeAsync(() => history.GetReplayAsync(rows - 10, 100, 1000, CancellationToken.None).AsTask());
        var page = await TimeAsync(() => history.GetPageAsync("t7", rows / 2, 100, CancellationToken.None).AsTask());
        var pageAll = await TimeAsync(() => history.GetPageAsync(null, rows / 2, 100, CancellationToken.None).AsTask());

        long size;
        if (history is SqliteChatHistory stored)
        {
            await stored.StopAsync(CancellationToken.None);
            stored.Dispose();
            size = new FileInfo(path).Length;
        }
        else if (history is PostgresChatHistory pg)
        {
            size = await PostgresSizeAsync(postgres!);
            await pg.StopAsync(CancellationToken.None);
            await pg.DisposeAsync();
        }
        else
        {
            var client = await redis!.GetAsync();
            var memory = (await client.GetServers()[0].InfoAsync("memory")).SelectMany(group => group).First(pair => pair.Key == "used_memory");
            size = long.Parse(memory.Value, CultureInfo.InvariantCulture);
            var keys = Enumerable.Range(0, threads).Select(t => (StackExchange.Redis.RedisKey)$"{redis.KeyPrefix}history:thread:t{t}")
                .Append(redis.KeyPrefix + "history:threads").Append(redis.KeyPrefix + "history:id").ToArray();
            await client.GetDatabase().KeyDeleteAsync(keys);
            await redis.DisposeAsync();
        }

        var appendsPerSecond = rows / write.Elapsed.TotalSeconds;
        Console.WriteLine($"{store}: rows {rows:N0} in {threads} threads, {writers} concurrent writers, {store switch { "sqlite" => "file", "redis" => "Redis used_memory", _ => "database" }} {size / 1048576.0:F1} MiB");
        Console.WriteLine($"{"measure",-34} {"value",14}");
        Console.WriteLine($"{store switch { "sqlite" => "appends/s (group commit, FULL sync)", "redis" => "appends/s (one Lua script each)", _ => "appends/s (group commit, sync on)" },-34} {appendsPerSecond,14:N0}");
        Console.WriteLine($"{"replay 100/thread, 1000 total (ms)",-34} {replay.Median,14:F2}");
        Console.WriteLine($"{"replay since newest-10 (ms)",-34} {since.Median,14:F2}");
        Console.WriteLine($"{"GetHistory thread, 100 (ms)",-34} {page.Median,14:F2}");
        Console.WriteLine($"{"GetHistory all threads, 100 (ms)",-34} {pageAll.Median,14:F2}");
        Console.WriteLine(FormattableString.Invariant(
            $$"""{"scenario":"store","store":"{{store}}","rows":{{rows}},"threads":{{threads}},"writers":{{writers}},"appendsPerSecond":{{appendsPerSecond:F0}},"replayMs":{{replay.Median:F3}},"replaySinceMs":{{since.Median:F3}},"pageThreadMs":{{page.Median:F3}},"pageAllMs":{{pageAll.Median:F3}},"fileBytes":{{size}}}"""));
        if (store == "sqlite" && !args.ContainsKey("path"))
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }

        return 0;
    }

    private static async Task<long> PostgresSizeAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var size = new Npgsql.NpgsqlCommand("SELECT pg_database_size(current_database());", connection);
        return (long)(await size.ExecuteScalarAsync())!;
    }

    private static async Task<(double Median, double Max)> TimeAsync(Func<Task> query)
    {
        await query();
        var samples = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        return (samples[samples.Count / 2], samples[^1]);
    }
}
