using Chatter.Bench.Clients;
using Chatter.Bench.Scenarios;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Bench;

/// <summary>
/// <c>fanout --attack-logins-per-second</c>: wrong raw logins for a hashed user from several loopback addresses while the
/// fanout measures. Small numbers, no timing: the fanout still delivers everything once, and every attempt got one of
/// the server's answers (invalid credentials until the throttle's windows fill, then too many attempts).
/// </summary>
[CancelAfter(120_000)]
public class LoginAttackSmokeTests
{
    [Test]
    public async Task FanoutUnderAWrongLoginAttackDeliversEveryMessageOnceAndCountsTheAttemptsAnswers(CancellationToken ct)
    {
        var users = BenchUsers.Generate(4, $"b{Guid.NewGuid():N}"[..8]);
        var victim = BenchUsers.Generate(1, "victim");
        var file = users.ToDictionary().ToDictionary(u => u.Key, u => u.Value);
        file[victim[0].Key] = PasswordHash.Create(victim[0].Value, iterations: PasswordHash.MinIterations);
        // The login throttle on (its defaults), the rest as the bench's other runs.
        var settings = BenchSmokeTests.BenchServerSettings
            .Where(s => !s.Key.StartsWith("Chatter:Limits:FailedLogins", StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => s.Value);
        await using var server = await ChatterServer.StartAsync(settings, file);
        var run = new ScenarioSettings
        {
            Users = users, Clients = 4, Senders = 2, Rate = 100, Messages = 100,
            AttackLoginsPerSecond = 50, AttackAddresses = 3, AttackUsers = victim,
        };

        var result = await FanoutScenario.RunAsync(BenchTarget.Parse("chatter", server.WsUri.ToString()), run, new RunProgress(), ct);

        BenchSmokeTests.AssertEveryMessageDeliveredOnce(result, sent: 200, receivers: 3);
        TestContext.Out.WriteLine(string.Join(", ", result.Metrics.Where(m => m.Key.StartsWith("attack", StringComparison.Ordinal)).Select(m => $"{m.Key} {m.Value}")));
        Assert.Multiple(() =>
        {
            Assert.That(result["attackAttempts"], Is.GreaterThan(10), "attempts were sent while the fanout ran");
            Assert.That(result["attackInvalid"], Is.GreaterThan(0), "some reached a password check");
            Assert.That(result["attackTooMany"], Is.GreaterThan(0), "then the throttle refused them");
            Assert.That(result["attackFailed"], Is.Zero, "every attempt got an answer");
        });
    }
}
