using Chatter.Bench.Cli;
using Chatter.Bench.Clients;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// Everything a load scenario reads from the command line, with the defaults the help text shows. One record for all
/// scenarios: each reads the options it needs and ignores the others.
/// </summary>
internal sealed record ScenarioSettings
{
    /// <summary>The options every load scenario accepts (anything else on the command line is a typo).</summary>
    public static readonly IReadOnlySet<string> Options = new HashSet<string>(StringComparer.Ordinal)
    {
        "url", "baseline-url", "users", "clients", "senders", "rate", "duration", "messages", "window", "size",
        "signalr-share", "connect-concurrency", "concurrency", "server-pid", "baseline-pid", "drain-timeout",
        "settle", "repeat", "chart", "threads", "label", "server-allocations", "raw-client", "rounds", "transport",
        "attack-logins-per-second", "attack-addresses", "attack-users",
    };

    public required BenchUsers Users { get; init; }

    /// <summary>Connections of the run (<c>--clients</c>).</summary>
    public int Clients { get; init; } = 10;

    /// <summary>Clients 0 to K−1 send (<c>--senders</c>).</summary>
    public int Senders { get; init; } = 2;

    /// <summary>Messages per second per sender in <c>fanout</c> (<c>--rate</c>).</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Seconds of sending (<c>--duration</c>); <c>fanout</c> uses <see cref="MessagesPerSender"/> instead when given.</summary>
    public double DurationSeconds { get; init; } = 10;

    /// <summary>Messages per sender in <c>fanout</c> (<c>--messages</c>), or replayed messages in <c>history</c>.</summary>
    public int? Messages { get; init; }

    /// <summary>Unconfirmed messages a <c>saturate</c> sender may have in flight (<c>--window</c>).</summary>
    public int Window { get; init; } = 8;

    /// <summary>Characters of each message's text (<c>--size</c>), at least what the send time and sequence need.</summary>
    public int Size { get; init; } = 64;

    /// <summary>
    /// What <c>compare</c> compares (<c>--transport</c>): <c>raw</c> (the raw baseline; every baseline client is raw, and
    /// <see cref="SignalRShare"/> applies to Chatter's clients) or <c>signalr</c> (every client of both targets is a SignalR
    /// client, against the SignalR baseline: <see cref="SignalRShare"/> is 1).
    /// </summary>
    public string Transport { get; init; } = "raw";

    /// <summary>Fraction of clients that are SignalR clients (<c>--signalr-share</c>, 0–1), spread evenly over the clients.</summary>
    public double SignalRShare { get; init; }

    /// <summary>Connections opened at once while the clients join (<c>--connect-concurrency</c>).</summary>
    public int ConnectConcurrency { get; init; } = 32;

    /// <summary>Login loops running at once in <c>logins</c> (<c>--concurrency</c>).</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Seconds without any new delivery after which the run stops waiting for the rest (<c>--drain-timeout</c>).</summary>
    public double DrainTimeoutSeconds { get; init; } = 10;

    /// <summary>Seconds <c>idle</c> holds the connections before reading the server's memory (<c>--settle</c>).</summary>
    public double SettleSeconds { get; init; } = 5;

    /// <summary>Logins timed by <c>history</c> (<c>--repeat</c>).</summary>
    public int Repeat { get; init; } = 10;

    /// <summary>Threads the history is spread over (<c>--threads</c>; default: enough for the server's 100-per-thread replay limit).</summary>
    public int? Threads { get; init; }

    /// <summary>The server's process id for CPU and memory figures (<c>--server-pid</c>; default: found by the URL's port).</summary>
    public int? ServerPid { get; init; }

    /// <summary>
    /// The raw client (<c>--raw-client</c>): <c>lean</c>, a bare socket that parses many frames per receive
    /// (<see cref="LeanRawClient"/>), or <c>websocket</c>, <see cref="System.Net.WebSockets.ClientWebSocket"/>.
    /// </summary>
    public string RawClient { get; init; } = "lean";

    /// <summary>Sample the server's allocations during the measured phase (<c>--server-allocations</c>, a flag).</summary>
    public bool ServerAllocations { get; init; }

    /// <summary>Wrong logins per second sent while <c>fanout</c> measures (<c>--attack-logins-per-second</c>; 0: none), see <see cref="LoginAttack"/>.</summary>
    public double AttackLoginsPerSecond { get; init; }

    /// <summary>The attack's source addresses, 127.0.0.1 to 127.0.0.N (<c>--attack-addresses</c>).</summary>
    public int AttackAddresses { get; init; } = 50;

    /// <summary>The users the attack guesses for (<c>--attack-users FILE</c>; default: <see cref="Users"/>).</summary>
    public BenchUsers? AttackUsers { get; init; }

    /// <summary>Tells this run's messages from any other in the server's history.</summary>
    public string Run { get; init; } = NewRunId();

    /// <summary>A fresh <see cref="Run"/> id (each round of a <c>compare --rounds</c> takes one).</summary>
    public static string NewRunId() => "r" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool IsSignalR(int client)
        => Math.Floor((client + 1) * SignalRShare) > Math.Floor(client * SignalRShare);

    public static ScenarioSettings From(BenchArguments args) => new()
    {
        Users = args.String("users") is { } file ? BenchUsers.Load(file) : BenchUsers.Load("bench-users.json"),
        Clients = args.Int("clients", 10),
        Senders = args.Int("senders", 2),
        Rate = args.Double("rate", 100),
        DurationSeconds = args.Double("duration", 10),
        Messages = args.OptionalInt("messages"),
        Window = args.Int("window", 8),
        Size = args.Int("size", 64),
        Transport = ReadTransport(args),
        SignalRShare = ReadTransport(args) == "signalr" ? 1 : args.Double("signalr-share", 0),
        ConnectConcurrency = args.Int("connect-concurrency", 32),
        Concurrency = args.Int("concurrency", 32),
        DrainTimeoutSeconds = args.Double("drain-timeout", 10),
        SettleSeconds = args.Double("settle", 5),
        Repeat = args.Int("repeat", 10),
        Threads = args.OptionalInt("threads"),
        ServerPid = args.OptionalInt("server-pid"),
        ServerAllocations = args.Has("server-allocations"),
        AttackLoginsPerSecond = args.Double("attack-logins-per-second", 0),
        AttackAddresses = args.Int("attack-addresses", 50),
        AttackUsers = args.String("attack-users") is { } attacked ? BenchUsers.Load(attacked) : null,
        RawClient = args.String("raw-client", "lean") is "lean" or "websocket" ? args.String("raw-client", "lean")! : throw new ArgumentException("--raw-client is lean or websocket"),
    };

    private static string ReadTransport(BenchArguments args) => args.String("transport", "raw") switch
    {
        "raw" => "raw",
        "signalr" when args.Has("signalr-share") => throw new ArgumentException("--transport signalr makes every client a SignalR client: leave out --signalr-share"),
        "signalr" => "signalr",
        _ => throw new ArgumentException("--transport is raw or signalr"),
    };
}
