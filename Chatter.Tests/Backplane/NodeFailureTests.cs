using Chatter.Protocol;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Backplane;

/// <summary>
/// Three real server processes on one private Redis; one is killed with SIGKILL while clients on the others chat. They see
/// no error and lose nothing; the dead node's clients reconnect elsewhere with <c>since</c> and get every message they
/// missed; the node, started again, rejoins with no manual step.
/// </summary>
[CancelAfter(240_000)]
[NonParallelizable]
public class NodeFailureTests
{
    private const string Users = """{"test1":"pass1","test2":"pass2","test3":"pass3","test4":"pass4","test5":"pass5"}""";

    [Test]
    public async Task KillingANodeLosesNothingAndItsClientsRecoverEverythingOnAnotherNode(CancellationToken ct)
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: ct);
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"))).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), Users, ct);
        string[] settings =
        [
            $"--Chatter:Redis:Configuration={redis.Configuration}",
            $"--Chatter:Redis:ChannelPrefix=t{Guid.NewGuid():N}",
            $"--Chatter:Token:SigningKey={ChatterCluster.SigningKey}",
            "--Chatter:History:ReplayLimit=1000",
            "--Chatter:Limits:MessagesPerSecond=0",
        ];
        var nodes = new List<ChatterProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await ChatterProcess.StartAsync(directory, ct, settings));
            }

            await using var rawOnA = await nodes[0].LoginRawAsync("test1", "pass1", cancellationToken: ct);
            await using var hubOnB = await nodes[1].ConnectHubAsync("test2", "pass2", cancellationToken: ct);
            var rawOnC = await nodes[2].LoginRawAsync("test3", "pass3", cancellationToken: ct);
            var hubOnC = await nodes[2].ConnectHubAsync("test4", "pass4", cancellationToken: ct);

            // Everyone sees a first message; it is the last the clients of C saw.
            var first = await rawOnA.SendAndAckAsync("chat", "first", "first", ct);
            Assert.That((await hubOnB.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(first.Id));
            var lastSeenByRawOnC = (await rawOnC.ReceiveMessageAsync(ct)).Id;
            var lastSeenByHubOnC = (await hubOnC.ReceiveAsync(cancellationToken: ct)).Id;

            await nodes[2].KillAsync(ct);
            await hubOnC.DisposeAsync();
            await rawOnC.DisposeAsync();

            // A and B keep chatting: every send acknowledged, every message received by the other, once, in order.
            var sentByA = new List<long>();
            var sentByB = new List<long>();
            for (var i = 0; i < 50; i++)
            {
                sentByA.Add((await rawOnA.SendAndAckAsync("chat", $"a{i}", $"{i}", ct)).Id);
                Assert.That((await hubOnB.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(sentByA[^1]));
                sentByB.Add((await hubOnB.SendAsync("chat", $"b{i}", ct)).Id);
                Assert.That((await rawOnA.ReceiveMessageAsync(ct)).Id, Is.EqualTo(sentByB[^1]));
            }

            var missed = sentByA.Zip(sentByB, (a, b) => new[] { a, b }).SelectMany(pair => pair).ToList();

            // C's clients reconnect to the surviving nodes with since: exactly what they missed, in id order.
            await using var rawMoved = await nodes[0].LoginRawAsync("test3", "pass3", since: lastSeenByRawOnC, cancellationToken: ct);
            foreach (var id in missed)
            {
                Assert.That((await rawMoved.ReceiveMessageAsync(ct)).Id, Is.EqualTo(id));
            }

            await using var hubMoved = await nodes[1].ConnectHubAsync("test4", "pass4", since: lastSeenByHubOnC, cancellationToken: ct);
            foreach (var id in missed)
            {
                Assert.That((await hubMoved.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(id));
            }

            // C, started again, rejoins: its client and the others hear each other.
            await nodes[2].DisposeAsync();
            nodes[2] = await ChatterProcess.StartAsync(directory, ct, settings);
            await using var rawOnRestarted = await nodes[2].LoginRawAsync("test5", "pass5", since: missed[^1], cancellationToken: ct);
            var fromRestarted = await rawOnRestarted.SendAndAckAsync("chat", "back", "back", ct);
            Assert.That((await rawOnA.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromRestarted.Id));
            Assert.That((await hubOnB.ReceiveAsync(cancellationToken: ct)).Id, Is.EqualTo(fromRestarted.Id));
            Assert.That((await rawMoved.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromRestarted.Id));
            ChatMessage fromB = await hubOnB.SendAsync("chat", "welcome back", ct);
            Assert.That((await rawOnRestarted.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fromB.Id));
            Assert.That(fromRestarted.Id, Is.GreaterThan(missed[^1]), "ids go on across nodes");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
