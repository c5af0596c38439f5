using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chatter.Bench.Baseline;
using Chatter.Bench.Cli;
using Chatter.Bench.Clients;
using Chatter.Bench.Scenarios;
using Chatter.Protocol;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Bench;

/// <summary>
/// The bench's second baseline, a plain SignalR chat hub (<see cref="SignalRBaselineServer"/>), and <c>--transport
/// signalr</c>: the bench's SignalR clients take the same path against it as against Chatter's <c>/hubs/chat</c>, every
/// message is counted once and none is lost. Never a speed.
/// </summary>
[CancelAfter(120_000)]
public class SignalRBaselineSmokeTests
{
    [Test]
    public async Task SaturateOfSignalRClientsAgainstTheSignalRBaselineLosesNothing(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4);
        await using var baseline = await SignalRBaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var settings = SignalROnly(new ScenarioSettings { Users = users, Clients = 4, Senders = 2, Window = 4, DurationSeconds = 0.3 });

        var result = await SaturateScenario.RunAsync(BenchTarget.Parse("baseline", baseline.HttpUri.ToString()), settings, new RunProgress(), ct);

        Assert.That(result["signalrClients"], Is.EqualTo(4), "every client is a SignalR client");
        Assert.That(result["sent"], Is.GreaterThan(0), "the senders sent within their windows");
        BenchSmokeTests.AssertEveryMessageDeliveredOnce(result, sent: result["sent"]!.Value, receivers: 3);
    }

    [Test]
    public async Task SaturateOfSignalRClientsAgainstChatterLosesNothing(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchSmokeTests.BenchServerSettings, users.ToDictionary());
        var settings = SignalROnly(new ScenarioSettings { Users = users, Clients = 4, Senders = 2, Window = 4, DurationSeconds = 0.3 });

        var result = await SaturateScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), settings, new RunProgress(), ct);

        Assert.That(result["signalrClients"], Is.EqualTo(4), "every client is a SignalR client");
        Assert.That(result["sent"], Is.GreaterThan(0), "the senders sent within their windows");
        BenchSmokeTests.AssertEveryMessageDeliveredOnce(result, sent: result["sent"]!.Value, receivers: 3);
    }

    [Test]
    public async Task FanoutAgainstTheSignalRBaselineDeliversEveryMessageOnce(CancellationToken ct)
    {
        var users = BenchUsers.Generate(5);
        await using var baseline = await SignalRBaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var settings = SignalROnly(new ScenarioSettings { Users = users, Clients = 5, Senders = 2, Rate = 200, Messages = 50 });

        var result = await FanoutScenario.RunAsync(BenchTarget.Parse("baseline", baseline.HttpUri.ToString()), settings, new RunProgress(), ct);

        BenchSmokeTests.AssertEveryMessageDeliveredOnce(result, sent: 100, receivers: 4);
    }

    [Test]
    public async Task TheSignalRBaselineAcksWithChattersMessageShapeAndSendsItToTheOthersOnly(CancellationToken ct)
    {
        var users = BenchUsers.Generate(2);
        await using var baseline = await SignalRBaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        using var http = new HttpClient();
        var target = BenchTarget.Parse("baseline", baseline.HttpUri.ToString());
        await using var alice = await HubChatClient.ConnectAsync(baseline.HubUri, await HubBenchClient.GetTokenAsync(target, http, users[0], ct), cancellationToken: ct);
        await using var bob = await HubChatClient.ConnectAsync(baseline.HubUri, await HubBenchClient.GetTokenAsync(target, http, users[1], ct), cancellationToken: ct);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var first = await alice.SendAsync("t1", "hello", ct);
        var second = await alice.SendAsync("t1", "again", ct);
        var received = await bob.ReceiveAsync(cancellationToken: ct);

        Assert.Multiple(() =>
        {
            Assert.That((first.Thread, first.Message, first.From), Is.EqualTo(("t1", "hello", users[0].Key)), "the ack names the authenticated sender");
            Assert.That(second.Id, Is.GreaterThan(first.Id), "ids increase");
            Assert.That(first.Ts, Is.GreaterThan(before).And.LessThanOrEqualTo(DateTimeOffset.UtcNow));
            Assert.That(received, Is.EqualTo(first), "the others get the message the sender got as its ack");
            Assert.That(alice.HasNoPendingMessage, Is.True, "the sender does not get its own message");
        });
        var refused = Assert.ThrowsAsync<HubException>(() => alice.SendAsync("t1", "", ct));
        Assert.That(refused!.Message, Does.Contain("message"), "an empty message is refused with Chatter's reason");
    }

    [Test]
    public async Task TheSignalRBaselineRefusesAWrongPasswordAndAHubConnectionWithoutAToken(CancellationToken ct)
    {
        var users = BenchUsers.Generate(1);
        await using var baseline = await SignalRBaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        using var http = new HttpClient();

        using var wrong = await http.PostAsJsonAsync(new Uri(baseline.HttpUri, "/api/token"), new TokenRequest(users[0].Key, "not-it"), ProtocolJsonContext.Default.TokenRequest, ct);
        await using var anonymous = HubChatClient.Build(baseline.HubUri, token: null);

        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var refused = Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync(ct));
        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task CompareSaturateOverSignalRRunsEveryRoundAgainstBothServersWithSignalRClientsOnly(CancellationToken ct)
    {
        var users = BenchUsers.Generate(3, $"b{Guid.NewGuid():N}"[..8]);
        await using var server = await ChatterServer.StartAsync(BenchSmokeTests.BenchServerSettings, users.ToDictionary());
        await using var baseline = await SignalRBaselineServer.StartAsync(IPAddress.Loopback, 0, users.ToDictionary(), ct);
        var usersFile = Path.Combine(server.Directory, "bench-users.json");
        await File.WriteAllTextAsync(usersFile, users.ToJson(), ct);
        using var output = new StringWriter();

        var exit = await BenchCommands.RunAsync(
            ["compare", "saturate", "--transport", "signalr", "--url", server.WsUri.ToString(), "--baseline-url", baseline.HttpUri.ToString(),
             "--users", usersFile, "--clients", "3", "--senders", "1", "--window", "2", "--duration", "0.2", "--rounds", "2"],
            output);

        Assert.That(exit, Is.Zero, output.ToString());
        using var json = JsonDocument.Parse(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last());
        var targets = json.RootElement.GetProperty("targets");
        Assert.Multiple(() =>
        {
            foreach (var name in new[] { "baseline", "chatter" })
            {
                Assert.That(targets.GetProperty(name).GetProperty("signalrClients").GetDouble(), Is.EqualTo(3), $"{name}: every client is a SignalR client");
                Assert.That(targets.GetProperty(name).GetProperty("delivered").GetDouble(), Is.GreaterThan(0), $"{name}: messages were delivered");
                Assert.That(targets.GetProperty(name).GetProperty("lost").GetDouble(), Is.Zero, $"{name}: lost");
                Assert.That(targets.GetProperty(name).GetProperty("duplicated").GetDouble(), Is.Zero, $"{name}: duplicated");
            }

            Assert.That(json.RootElement.GetProperty("roundRatios").GetProperty("deliveriesPerSecond").GetArrayLength(), Is.EqualTo(2), "one ratio per round");
        });
    }

    private static ScenarioSettings SignalROnly(ScenarioSettings settings) => settings with { Transport = "signalr", SignalRShare = 1 };
}
