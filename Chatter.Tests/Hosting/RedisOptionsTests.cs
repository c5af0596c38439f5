using Chatter.Server.Backplane;
using Chatter.Server.History;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Hosting;

/// <summary><c>Chatter:Redis</c> and the Redis history store: checked at start, errors naming the key.</summary>
public class RedisOptionsTests
{
    [Test]
    public void RedisHistoryWithoutARedisConfigurationIsRefusedNamingTheKey()
    {
        var options = new HistoryOptions { Store = "redis" };

        var result = new HistoryOptionsValidator(new RedisOptions()).Validate(Options.DefaultName, options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Chatter:Redis:Configuration"));
    }

    [Test]
    public void AConfigurationStringThatDoesNotParseIsRefusedNamingTheKey()
    {
        var options = new RedisOptions { Configuration = "127.0.0.1:6379,connectTimeout=soon" };

        var result = new RedisOptionsValidator().Validate(Options.DefaultName, options);

        Assert.That(result.FailureMessage, Does.Contain("Chatter:Redis:Configuration"));
    }

    [TestCase("")]
    [TestCase("has space")]
    public void AnInvalidChannelPrefixIsRefusedNamingTheKey(string prefix)
    {
        var options = new RedisOptions { ChannelPrefix = prefix };

        var result = new RedisOptionsValidator().Validate(Options.DefaultName, options);

        Assert.That(result.FailureMessage, Does.Contain("Chatter:Redis:ChannelPrefix"));
    }

    [Test]
    public void HistoryIsInRedisByDefaultOnceRedisIsConfiguredAndAStoreNamedWins()
    {
        var history = new HistoryOptions();
        var redis = new RedisOptions();
        Assert.That(history.StoreWith(redis), Is.EqualTo("sqlite"));

        redis.Configuration = "127.0.0.1:6379";
        Assert.That(history.StoreWith(redis), Is.EqualTo("redis"));

        history.Store = "sqlite";
        Assert.That(history.StoreWith(redis), Is.EqualTo("sqlite"));
    }

    [Test]
    public void TheRedisClientFailsFastReconnectsAndPrefixesChannels()
    {
        var redis = new RedisOptions { Configuration = "127.0.0.1:6379", ChannelPrefix = "blue", TimeoutMilliseconds = 1500 };

        var configuration = RedisConnection.CreateConfiguration(redis);

        Assert.Multiple(() =>
        {
            Assert.That(configuration.AbortOnConnectFail, Is.False);
            Assert.That(configuration.AsyncTimeout, Is.EqualTo(1500));
            Assert.That(configuration.BacklogPolicy.QueueWhileDisconnected, Is.False);
            Assert.That(configuration.ChannelPrefix.ToString(), Is.EqualTo("blue:"));
        });
    }
}
