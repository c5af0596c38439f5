using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// Stateful reconnect with the Redis backplane: every message reaches the cut client's node through Redis (a
/// serialized message without its <c>HubMessage</c>, the case of dotnet/aspnetcore #55575, fixed in #60900 and in the
/// 10.0 packages), and still arrives exactly once after the client's socket comes back.
/// </summary>
[CancelAfter(180_000)]
[NonParallelizable]
public class StatefulReconnectAcrossNodesTests : RedisTestBase
{
    [Test]
    public async Task ClientWithStatefulReconnectLosesNoMessageAndGetsNoneTwiceWhenItsSocketIsCutAndTheSenderIsOnAnotherNode(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 2);

        await StatefulReconnectScenario.RunAsync(cluster[0], cluster[1], ct);
    }

    [Test]
    public async Task ClientWithStatefulReconnectLosesNoMessageAndGetsNoneTwiceWhenItsSocketIsCutAndTheSenderIsOnItsNode(CancellationToken ct)
    {
        await using var cluster = await ChatterCluster.StartAsync(Redis, 1);

        await StatefulReconnectScenario.RunAsync(cluster[0], cluster[0], ct);
    }
}
