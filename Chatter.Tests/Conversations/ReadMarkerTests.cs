using Chatter.Tests.Infrastructure;
using Chatter.Tests.Recovery;

namespace Chatter.Tests.Conversations;

/// <summary>
/// Issue 16, point 2: <c>{"read": {"thread", "id"}}</c> records how far the user has read a thread (never backwards);
/// the user's other v2 connections get the same frame at once, and a v2 login gets all the user's markers in one frame
/// after the recovery answer; markers are kept with the history and survive a restart.
/// </summary>
[CancelAfter(60_000)]
public class ReadMarkerTests
{
    [Test]
    public async Task AMarkerReachesTheUsersOtherV2ConnectionsOnlyAndNeverMovesBack(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var (phone, _) = await server.LoginV2Async("test2", cancellationToken: ct);
        var (laptop, _) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var __ = phone;
        await using var ___ = laptop;
        await using var oldClient = await server.LoginRawAsync("test2", cancellationToken: ct);
        var (someoneElse, _) = await server.LoginV2Async("test3", cancellationToken: ct);
        await using var ____ = someoneElse;

        await phone.SendJsonAsync(new { read = new { thread = "general", id = 42 } }, ct);
        Assert.That(await laptop.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"general","id":42}}"""));

        await phone.SendJsonAsync(new { read = new { thread = "general", id = 40 } }, ct);
        await phone.SendJsonAsync(new { read = new { thread = "general", id = 43 } }, ct);
        Assert.That(await laptop.ReceiveTextAsync(ct), Is.EqualTo("""{"read":{"thread":"general","id":43}}"""), "40 did not move it back, so it was not sent");

        // A fence from the other user: for everyone else the next frame is it (no marker frame was queued before it).
        var fence = await someoneElse.SendAndAckAsync("t", "fence", "fence", ct);
        foreach (var client in new[] { phone, laptop, oldClient })
        {
            Assert.That((await client.ReceiveMessageAsync(ct)).Id, Is.EqualTo(fence.Id));
        }
    }

    [Test]
    public async Task AV2LoginGetsEveryMarkerOfItsUserInOneFrameAfterTheRecoveryAnswerAlsoAfterARestart(CancellationToken ct)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        await using (var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, directory: directory))
        {
            var (client, _) = await server.LoginV2Async("test2", cancellationToken: ct);
            await client.SendJsonAsync(new { read = new { thread = "general", id = 7 } }, ct);
            await client.SendJsonAsync(new { read = new { thread = "random", id = 3 } }, ct);
            await client.AssertNothingBeforeOwnAckAsync("t", ct);
            await client.DisposeAsync();
        }

        await using var restarted = await ChatterServer.StartAsync(ChatterServer.NoRateLimit, directory: directory);
        var (again, answer) = await restarted.LoginV2Async("test2", cancellationToken: ct);
        await using var _ = again;
        Assert.That(answer.Reads, Is.EquivalentTo(new Dictionary<string, long> { ["general"] = 7, ["random"] = 3 }));

        var (other, theirs) = await restarted.LoginV2Async("test3", cancellationToken: ct);
        await using var __ = other;
        Assert.That(theirs.Reads, Is.Empty, "markers are the user's own");
        Directory.Delete(directory, recursive: true);
    }

    [TestCase("""{"read": 5, "ref": "m"}""", "read must be an object")]
    [TestCase("""{"read": {"thread": "t"}, "ref": "m"}""", "read id must be a positive integer")]
    [TestCase("""{"read": {"thread": "t", "id": 0}, "ref": "m"}""", "read id must be a positive integer")]
    [TestCase("""{"read": {"id": 5}, "ref": "m"}""", "thread is required")]
    [TestCase("""{"read": {"thread": "", "id": 5}, "ref": "m"}""", "thread must not be empty")]
    public async Task AnInvalidMarkerIsAnsweredWithItsReasonAndTheRef(string frame, string reason, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        var (client, _) = await server.LoginV2Async("test2", cancellationToken: ct);
        await using var _ = client;

        await client.SendTextAsync(frame, ct);
        var error = await client.ReceiveErrorAsync(ct);
        Assert.That((error.Reason, error.Ref), Is.EqualTo((reason, "m")));
    }
}
