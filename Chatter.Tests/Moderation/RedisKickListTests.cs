using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Moderation;

/// <summary>The kick list shared through Redis.</summary>
public sealed class RedisKickListTests : KickListContract
{
    private RedisServer redis = null!;

    [OneTimeSetUp]
    public async Task StartRedis() => redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }
    }

    protected override Task<ChatterServer> StartServerAsync(FakeTimeProvider clock)
        => ChatterServer.StartAsync(ChatterCluster.Settings(redis, $"t{Guid.NewGuid():N}"), configureServices: services => services.AddSingleton<TimeProvider>(clock));
}
