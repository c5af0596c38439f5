namespace Chatter.Tests.Infrastructure;

/// <summary>Test classes whose tests share one private <see cref="RedisServer"/>, started once and stopped after the last.</summary>
public abstract class RedisTestBase
{
    /// <summary>The class's Redis.</summary>
    protected RedisServer Redis { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartRedis() => Redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
