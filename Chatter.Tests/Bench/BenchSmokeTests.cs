using System.Net;
using Chatter.Bench.Baseline;
using Chatter.Bench.Clients;
using Chatter.Bench.Scenarios;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Bench;

/// <summary>
/// The bench tool's own smoke test: tiny scenarios through the bench's real clients and counters, against a real
/// Chatter and against the baseline server. They assert what the bench promises (every message counted once, none
/// lost), never a speed.
/// </summary>
[CancelAfter(120_000)]
public class BenchSmokeTests
{
    internal static readonly IReadOnlyDictionary<string, string?> BenchServerSettings = new Dictionary<string, string?>
    {
        ["Chatter:History:Store"] = "memory",
        ["Serilog:MinimumLevel:Default"] = "Warning",
        // As in BENCHMARKS.md: the bench measures delivery, not the abuse limits.
        ["Chatter:Limits:MessagesPerSecond"] = "0",
        ["Chatter:Limits:FailedLoginsPerMinute"] = "0",
        ["Chatter:Limits:FailedLoginsPerAddressPerMinute"] = "0",
        ["Chatter:Limits:FailedLoginsPerNamePerMinute"] = "0",
        ["Chatter:Limits:MaxConnections"] = "0",
        ["Chatter:Limits:MaxConnectionsPerUser"] = "0",
    };

    [Test]
    public async Task FanoutOfRawAndSignalRClientsAgainstChatterDeliversEveryMessageOnce(CancellationToken ct)
    {
        var users = BenchUsers.Generate(5, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchServerSettings, users.ToDictionary());
        var settings = new ScenarioSettings { Users = users, Clients = 5, Senders = 2, Rate = 200, Messages = 50, SignalRShare = 0.4 };

        var result = await FanoutScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), settings, new RunProgress(), ct);

        AssertEveryMessageDeliveredOnce(result, sent: 100, receivers: 4);
        Assert.That(result["signalrClients"], Is.EqualTo(2), "the share made SignalR clients");
    }

    [Test]
    public async Task FanoutOfClientWebSocketClientsAgainstChatterDeliversEveryMessageOnce(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchServerSettings, users.ToDictionary());
        var settings = new ScenarioSettings { Users = users, Clients = 4, Senders = 2, Rate = 200, Messages = 40, RawClient = "websocket" };

        var result = await FanoutScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), settings, new RunProgress(), ct);

        AssertEveryMessageDeliveredOnce(result, sent: 80, receivers: 3);
    }

    [Test]
    public async Task FanoutAgainstTheBaselineServerDeliversEveryMessageOnce(CancellationToken ct)
    {
        var users = BenchUsers.Generate(5);
        await using var baseline = await BaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var settings = new ScenarioSettings { Users = users, Clients = 5, Senders = 2, Rate = 200, Messages = 50 };

        var result = await FanoutScenario.RunAsync(BenchTarget.Parse("baseline", baseline.WsUri.ToString()), settings, new RunProgress(), ct);

        AssertEveryMessageDeliveredOnce(result, sent: 100, receivers: 4);
    }

    [Test]
    public async Task SaturateWithAckWindowAgainstChatterLosesNothing(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchServerSettings, users.ToDictionary());
        var settings = new ScenarioSettings { Users = users, Clients = 4, Senders = 2, Window = 4, DurationSeconds = 0.3, SignalRShare = 0.5 };

        var result = await SaturateScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), settings, new RunProgress(), ct);

        Assert.That(result["sent"], Is.GreaterThan(0), "the senders sent within their windows");
        AssertEveryMessageDeliveredOnce(result, sent: result["sent"]!.Value, receivers: 3);
    }

    [Test]
    public async Task HistoryScenarioTimesLoginsThatReplayEveryStoredMessage(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchServerSettings, users.ToDictionary());
        var settings = new ScenarioSettings { Users = users, Messages = 30, Repeat = 2, SignalRShare = 0.5 };

        var result = await HistoryScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), settings, new RunProgress(), ct);

        Assert.Multiple(() =>
        {
            Assert.That(result["logins"], Is.EqualTo(2), "both logins got all 30 messages");
            Assert.That(result["p50Ms"], Is.GreaterThan(0));
            Assert.That(result.Notes, Is.Empty);
        });
    }

    [Test]
    public async Task IdleScenarioHoldsEveryConnectionAndReadsTheServersMemory(CancellationToken ct)
    {
        var users = BenchUsers.Generate(6);
        await using var baseline = await BaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var settings = new ScenarioSettings { Users = users, Clients = 6, SettleSeconds = 0, ServerPid = Environment.ProcessId };

        var result = await IdleScenario.RunAsync(BenchTarget.Parse("baseline", baseline.WsUri.ToString()), settings, new RunProgress(), ct);

        Assert.Multiple(() =>
        {
            Assert.That(result["clients"], Is.EqualTo(6));
            Assert.That(result["serverRssHeldMiB"], Is.GreaterThan(0), "/proc/PID/status was read");
        });
    }

    [Test]
    public async Task LoginsScenarioCountsLoginsWithoutFailures(CancellationToken ct)
    {
        // Against the baseline: a lean client logging in and out as fast as it can is the scenario's point.
        var users = BenchUsers.Generate(3);
        await using var baseline = await BaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var settings = new ScenarioSettings { Users = users, Concurrency = 2, DurationSeconds = 0.3 };

        var result = await LoginsScenario.RunAsync(BenchTarget.Parse("baseline", baseline.WsUri.ToString()), settings, new RunProgress(), ct);

        Assert.Multiple(() =>
        {
            Assert.That(result["logins"], Is.GreaterThan(0));
            Assert.That(result["failed"], Is.Zero, string.Join("; ", result.Notes));
        });
    }

    internal static void AssertEveryMessageDeliveredOnce(ScenarioResult result, double sent, int receivers)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result["sent"], Is.EqualTo(sent), "messages sent");
            Assert.That(result["expected"], Is.EqualTo(sent * receivers), "each message is expected by every client but its sender");
            Assert.That(result["delivered"], Is.EqualTo(sent * receivers), "delivered");
            Assert.That(result["lost"], Is.Zero, "lost");
            Assert.That(result["duplicated"], Is.Zero, "duplicated");
            Assert.That(result["errors"], Is.Zero, "error answers");
            Assert.That(result["p50Ms"], Is.GreaterThan(0), "latencies were measured");
            Assert.That(result.Notes, Is.Empty);
        });
    }
}
