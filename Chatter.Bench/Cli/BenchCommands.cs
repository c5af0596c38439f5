using System.Globalization;
using System.Net;
using Chatter.Bench.Baseline;
using Chatter.Bench.Clients;
using Chatter.Bench.Measurement;
using Chatter.Bench.Reporting;
using Chatter.Bench.Scenarios;
using Chatter.Bench.Store;
using Spectre.Console;

namespace Chatter.Bench.Cli;

/// <summary>The bench's commands: load scenarios, <c>compare</c>, <c>users</c>, <c>baseline</c> and <c>store</c>.</summary>
internal static class BenchCommands
{
    public const string Usage = """
        usage: dotnet run -c Release --project Chatter.Bench -- COMMAND [options]

          users N [--prefix load]                 N load users as users.json to stdout ({"load0001":"pw-…"})
          baseline --port 8001 [--host 127.0.0.1] --users bench-users.json [--transport raw|signalr]
                                                  raw: the minimal raw-WebSocket server of the same protocol;
                                                  signalr: a plain SignalR chat hub (/hubs/chat, /api/token), no store
          fanout   --url ws://127.0.0.1:8000      N clients, K senders at a fixed rate
          saturate --url ...                      K senders as fast as a window of unconfirmed messages allows
          idle     --url ...                      N idle logged-in connections; server memory per connection
          logins   --url ...                      connect + login rate at a concurrency
          history  --url ...                      login with a replay of N messages; time to the last frame
          compare SCENARIO --url CHATTER --baseline-url BASELINE [--rounds N] [--transport raw|signalr]
                                                  the scenario against the baseline, then Chatter, with ratios;
                                                  with --rounds, N such pairs and the median of each figure;
                                                  --transport signalr: every client SignalR, on both (the baseline
                                                  started with baseline --transport signalr)
          store [--rows 1000000] [--threads 100] [--writers 64] [--path FILE]
                                                  the SQLite history store on its own
          micro [--iterations 1000000]            time and allocated bytes per operation of the broadcast path's pieces

        load options (defaults in brackets):
          --users FILE [bench-users.json]  --clients N [10]  --senders K [2]  --rate MSG_PER_S_PER_SENDER [100]
          --duration S [10]  --messages N (fanout: per sender; history: replayed [1000])  --window W [8]
          --size CHARS [64]  --signalr-share 0..1 [0]  --transport raw|signalr [raw] (signalr: every client)
          --connect-concurrency N [32]  --concurrency N [32] (logins)
          --drain-timeout S [10]  --settle S [5] (idle)  --repeat N [10] (history)  --threads N (history)
          --server-pid PID (default: the process listening on the URL's port)  --baseline-pid PID
          --chart FILE.svg (latency distribution)  --label NAME [chatter] (the --url target's column)
          --raw-client lean|websocket [lean] (a bare-socket client, or ClientWebSocket)
          --server-allocations (flag, last: sample the server's allocations through its diagnostics port)
          --attack-logins-per-second R [0]  --attack-addresses A [50]  --attack-users FILE [--users]
                                           (fanout: R wrong raw logins/s from 127.0.0.1..A while it measures)
        """;

    /// <summary>Runs the command <paramref name="args"/> name; results go to <paramref name="output"/> (default: standard output).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await output.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = BenchArguments.Parse(args.Skip(1));
            return args[0] switch
            {
                "store" => await StoreBenchmark.RunAsync(args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1])),
                "users" => WriteUsers(options, output),
                "micro" => Micro.MicroBenchmark.Run(options.Int("iterations", 1_000_000)),
                "baseline" => await RunBaselineAsync(options, output),
                "compare" => await RunScenarioAsync(options.FirstPositional ?? throw new ArgumentException("compare needs a scenario: compare fanout --url ... --baseline-url ..."), options, compare: true, output),
                _ => await RunScenarioAsync(args[0], options, compare: false, output),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or BenchException or InvalidDataException or FileNotFoundException
            or System.Net.WebSockets.WebSocketException or HttpRequestException or System.Net.Sockets.SocketException)
        {
            // The reason, not a stack trace: a server that is not running, a typo, a refused login.
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    private static int WriteUsers(BenchArguments options, TextWriter output)
    {
        var count = int.Parse(options.FirstPositional ?? throw new ArgumentException("users needs a count: users 200 > bench-users.json"), CultureInfo.InvariantCulture);
        output.WriteLine(BenchUsers.Generate(count, options.String("prefix", "load")!).ToJson());
        return 0;
    }

    private static async Task<int> RunBaselineAsync(BenchArguments options, TextWriter output)
    {
        var users = BenchUsers.Load(options.String("users", "bench-users.json")!);
        var address = IPAddress.Parse(options.String("host", "127.0.0.1")!);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var port = options.Int("port", 8001);
        switch (options.String("transport", "raw"))
        {
            case "raw":
            {
                await using var server = await BaselineServer.StartAsync(address, port, users.ToDictionary(), stop.Token);
                await output.WriteLineAsync($"baseline server on {server.WsUri} with {users.Count} users (pid {Environment.ProcessId}); Ctrl+C stops it");
                await server.WaitForShutdownAsync(stop.Token);
                return 0;
            }

            case "signalr":
            {
                await using var server = await SignalRBaselineServer.StartAsync(address, port, users.ToDictionary(), stop.Token);
                await output.WriteLineAsync($"SignalR baseline server on {server.HubUri} (tokens: POST /api/token) with {users.Count} users (pid {Environment.ProcessId}); Ctrl+C stops it");
                await server.WaitForShutdownAsync(stop.Token);
                return 0;
            }

            default:
                throw new ArgumentException("--transport is raw or signalr");
        }
    }

    private static async Task<int> RunScenarioAsync(string scenario, BenchArguments options, bool compare, TextWriter output)
    {
        var run = Scenario(scenario);
        var unknown = options.Unknown(ScenarioSettings.Options).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}\n\n{Usage}");
        }

        var settings = ScenarioSettings.From(options);
        var targets = new List<(BenchTarget Target, int? Pid)>();
        if (compare)
        {
            var baseline = BenchTarget.Parse("baseline", options.RequiredString("baseline-url"));
            targets.Add((baseline, options.OptionalInt("baseline-pid") ?? FindServer(baseline)));
        }

        var chatter = BenchTarget.Parse(options.String("label", "chatter")!, options.RequiredString("url"));
        targets.Add((chatter, settings.ServerPid ?? FindServer(chatter)));

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected to a file: wide enough that no label wraps.
            console.Profile.Width = 120;
        }

        var rounds = options.Int("rounds", 1);
        if (rounds < 1 || (rounds > 1 && (!compare || scenario == "idle")))
        {
            // idle measures the growth of a fresh server's memory: a second round on the same server measures nothing.
            throw new ArgumentException("--rounds N (1 or more) is for compare, and not for idle (restart the servers between idle runs)");
        }

        var byTarget = targets.Select(_ => new List<ScenarioResult>()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            // Each round's messages are its own: a later round must not count an earlier one's history.
            var roundSettings = round == 0 ? settings : settings with { Run = ScenarioSettings.NewRunId() };
            for (var i = 0; i < targets.Count; i++)
            {
                var (target, pid) = targets[i];
                if (scenario == "history" && target.Name == "baseline")
                {
                    continue;
                }

                // The raw baseline speaks only the raw protocol; with --transport signalr both targets get SignalR clients only.
                var targetSettings = target.Name == "baseline" && settings.Transport == "raw"
                    ? roundSettings with { SignalRShare = 0, ServerPid = pid }
                    : roundSettings with { ServerPid = pid };
                var progress = new RunProgress();
                byTarget[i].Add(await LiveProgress.RunAsync(console, progress, () => run(target, targetSettings, progress, CancellationToken.None)));
            }
        }

        var every = byTarget.SelectMany(r => r).ToList();
        var results = byTarget.Where(r => r.Count > 0).Select(r => r.Count == 1 ? r[0] : ScenarioResult.MedianOf(r)).ToList();
        (string Key, double[] Ratios)? roundRatios = null;
        if (rounds > 1)
        {
            var headline = RoundRatios.Headline(results[^1]);
            roundRatios = (headline, RoundRatios.Of(byTarget, headline).ToArray());
            results[^1].Notes.Add($"each figure is the median of {rounds} rounds (lost, duplicated, failed, errors: their sum); {headline} ratio by round: "
                + string.Join(", ", roundRatios.Value.Ratios.Select(r => r.ToString("N2", CultureInfo.InvariantCulture))));
        }

        ResultReport.Write(console, results, roundRatios);
        if (options.String("chart") is { } chart)
        {
            LatencyChart.Save(chart, results);
            console.MarkupLineInterpolated($"latency chart: {chart}");
        }

        return every.Any(r => r["lost"] > 0 || r["duplicated"] > 0 || r["failed"] > 0) ? 1 : 0;
    }

    private static Func<BenchTarget, ScenarioSettings, RunProgress, CancellationToken, Task<ScenarioResult>> Scenario(string name) => name switch
    {
        "fanout" => FanoutScenario.RunAsync,
        "saturate" => SaturateScenario.RunAsync,
        "idle" => IdleScenario.RunAsync,
        "logins" => LoginsScenario.RunAsync,
        "history" => HistoryScenario.RunAsync,
        _ => throw new ArgumentException($"unknown scenario '{name}'\n\n{Usage}"),
    };

    private static int? FindServer(BenchTarget target)
        => target.WsUri.IsLoopback ? ProcessStats.FindListener(target.WsUri.Port) : null;
}
