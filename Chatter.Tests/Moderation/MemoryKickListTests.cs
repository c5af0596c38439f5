using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Moderation;

/// <summary>The kick list of a node without Redis.</summary>
public sealed class MemoryKickListTests : KickListContract
{
    protected override Task<ChatterServer> StartServerAsync(FakeTimeProvider clock)
        => ChatterServer.StartAsync(configureServices: services => services.AddSingleton<TimeProvider>(clock));
}
