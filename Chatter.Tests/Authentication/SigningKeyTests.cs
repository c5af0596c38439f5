using System.Security.Cryptography;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Authentication;

/// <summary>
/// <c>Chatter:Token:SigningKey</c> is checked at start: base64 of at least 32 bytes, and required once nodes share
/// Redis, since every node must accept every other node's tokens. The refusal names the key and how to make one.
/// </summary>
[CancelAfter(60_000)]
public class SigningKeyTests
{
    [TestCase("abc", "is not base64")]
    [TestCase("not base64 at all!", "is not base64")]
    [TestCase("AAECAwQFBgcICQoLDA0ODw==", "holds 16 bytes, fewer than 32")]
    public void ABadKeyRefusesTheStartNamingTheKeyAndHowToMakeOne(string key, string reason, CancellationToken ct)
    {
        var refusal = Refusal(new Dictionary<string, string?> { [SigningKeyValidator.Key] = key }, ct);

        Assert.That(refusal, Does.Contain(SigningKeyValidator.Key).And.Contain(reason).And.Contain("openssl rand -base64 32"));
        Assert.That(refusal, Does.Not.Contain(key), "the secret itself is not repeated");
    }

    [TestCase(null)]
    [TestCase("redis")]
    [TestCase("sqlite")]
    public void RedisWithoutAKeyRefusesTheStart(string? store, CancellationToken ct)
    {
        // Validation comes before any connection: no redis-server is needed to be refused.
        var refusal = Refusal(new Dictionary<string, string?> { ["Chatter:Redis:Configuration"] = "127.0.0.1:1", ["Chatter:History:Store"] = store }, ct);

        Assert.That(refusal, Does.Contain(SigningKeyValidator.Key).And.Contain("Chatter:Redis:Configuration").And.Contain("openssl rand -base64 32"));
    }

    [Test]
    public async Task AGoodKeyStartsAndWithoutRedisNoKeyStartsToo(CancellationToken ct)
    {
        await using (var keyed = await ChatterServer.StartAsync(new Dictionary<string, string?> { [SigningKeyValidator.Key] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }))
        {
            Assert.That(await keyed.GetTokenAsync("test1", cancellationToken: ct), Is.Not.Empty);
        }

        await using var alone = await ChatterServer.StartAsync();
        Assert.That(await alone.GetTokenAsync("test1", cancellationToken: ct), Is.Not.Empty);
    }

    [Test]
    public async Task ATokenIssuedByOneNodeIsAcceptedByAnotherWithTheSameKey(CancellationToken ct)
    {
        var settings = new Dictionary<string, string?> { [SigningKeyValidator.Key] = ChatterCluster.SigningKey };
        await using var issuer = await ChatterServer.StartAsync(settings);
        await using var other = await ChatterServer.StartAsync(settings);
        var token = await issuer.GetTokenAsync("test1", cancellationToken: ct);

        await using var client = await HubChatClient.ConnectAsync(other.HubUri, token, since: null, ct);
        var stored = await client.SendAsync($"t-{Guid.NewGuid():N}", "signed elsewhere", ct);

        Assert.That(stored.From, Is.EqualTo("test1"));
    }

    [Test]
    public async Task TheRealProcessRefusesABadKeyWithTheMessage(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("chatter-key-");
        try
        {
            var start = ChatterProcess.StartAsync(directory.FullName, ct, $"--{SigningKeyValidator.Key}=abc");

            var refused = Assert.ThrowsAsync<InvalidOperationException>(() => start);
            Assert.That(refused!.Message, Does.Contain(SigningKeyValidator.Key).And.Contain("openssl rand -base64 32"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Refusal(Dictionary<string, string?> settings, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("chatter-key-");
        try
        {
            var refused = Assert.ThrowsAsync<OptionsValidationException>(() => ChatterServer.StartAsync(settings, directory: directory.FullName).WaitAsync(ct));
            return string.Join("\n", refused!.Failures);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
