using System.Net.WebSockets;
using Chatter.Server.Moderation;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Moderation;

/// <summary>What every kick list promises (this node's memory, Redis), run against each in a real server on a fake clock.</summary>
[CancelAfter(60_000)]
public abstract class KickListContract
{
    /// <summary>Starts a server whose kick list is the store under test, on <paramref name="clock"/>.</summary>
    protected abstract Task<ChatterServer> StartServerAsync(FakeTimeProvider clock);

    [Test]
    public async Task AUserIsKickedFromTheKickUntilItsEndOnTheServersClock(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartServerAsync(clock);
        var kicks = server.App.Services.GetRequiredService<IKickList>();
        var until = clock.GetUtcNow().AddMinutes(3);
        Assert.That(await kicks.KickedUntilAsync("bob"), Is.Null, "before");

        await kicks.KickAsync("bob", until);

        Assert.That(await kicks.KickedUntilAsync("bob"), Is.EqualTo(until).Within(TimeSpan.FromMilliseconds(1)), "during");
        Assert.That(await kicks.KickedUntilAsync("carol"), Is.Null, "another user");
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.That(await kicks.KickedUntilAsync("bob"), Is.Null, "after its end");
    }

    [Test]
    public async Task TheLatestKickOfAUserSetsItsEnd(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartServerAsync(clock);
        var kicks = server.App.Services.GetRequiredService<IKickList>();
        var later = clock.GetUtcNow().AddMinutes(10);
        var sooner = clock.GetUtcNow().AddMinutes(1);

        await kicks.KickAsync("bob", later);
        await kicks.KickAsync("bob", sooner);

        Assert.That(await kicks.KickedUntilAsync("bob"), Is.EqualTo(sooner).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task AKickClosesEveryConnectionOfTheUserAndNoOther(CancellationToken ct)
    {
        await using var server = await StartServerAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var kicks = server.App.Services.GetRequiredService<IKickList>();
        await using var bob = await server.LoginRawAsync("bob", cancellationToken: ct);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);

        await kicks.KickAsync("bob", DateTimeOffset.UtcNow.AddMinutes(1));

        await Kicked.AssertKickedAsync(bob, "bob", ct);
        await carol.SendAndAckAsync("t-contract", "still here", "c1", ct);
        Assert.That(carol.Socket.State, Is.EqualTo(WebSocketState.Open));
    }
}
