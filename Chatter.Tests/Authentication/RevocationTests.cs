using System.Net;
using System.Net.WebSockets;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Authentication;

/// <summary>
/// Revoking a user takes effect (issue 14, point 3): a user removed from users.json, or whose password changed, is
/// disconnected (raw: <c>{"error": "invalid credentials"}</c> (the login refusal's bytes) then close 1008; SignalR: the connection closes) on every
/// node that reads the file, and tokens issued before the change stop working.
/// </summary>
[CancelAfter(60_000)]
public class RevocationTests : RedisTestBase
{
    [Test]
    public async Task ARemovedUserAndAUserWhosePasswordChangedAreDisconnectedAndTheirTokensRefused(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var removedRaw = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var changedRaw = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var keptRaw = await server.LoginRawAsync("test3", cancellationToken: ct);
        var changedToken = await server.GetTokenAsync("alice", cancellationToken: ct);
        await using var changedHub = await HubChatClient.ConnectAsync(server.HubUri, changedToken, cancellationToken: ct);
        var hubClosed = Closed(changedHub.Connection);

        var users = new Dictionary<string, string>(ChatterServer.DefaultUsers);
        users.Remove("test1");
        users["test2"] = "a new password";
        users["alice"] = "another new password";
        await server.ReplaceUsersFileAsync(users, ct);

        foreach (var (client, name) in new[] { (removedRaw, "removed"), (changedRaw, "password changed") })
        {
            var (status, before) = await client.ReceiveCloseAsync(ct);
            Assert.That((before.Single(), status), Is.EqualTo(("{\"error\": \"invalid credentials\"}", (WebSocketCloseStatus?)WebSocketCloseStatus.PolicyViolation)), name);
        }

        await hubClosed.WaitAsync(RawChatClient.DefaultTimeout, ct);
        var again = HubChatClient.Build(server.HubUri, changedToken);
        await using (again)
        {
            await Assert.ThatAsync(() => again.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Unauthorized), "the token issued before the change");
        }

        // test3 is untouched: still connected, still chatting.
        await using var other = await server.LoginRawAsync("test2", "a new password", cancellationToken: ct);
        await other.SendChatAsync("t", "still here?", cancellationToken: ct);
        Assert.That((await keptRaw.ReceiveMessageAsync(ct)).Message, Is.EqualTo("still here?"));
    }

    [Test]
    public async Task ARemovedUserIsDisconnectedOnEveryNodeThatReadsTheFile(CancellationToken ct)
    {
        // Two nodes on one Redis reading one users file (a shared volume, as in a deployment).
        var directory = Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"));
        var settings = ChatterCluster.Settings(Redis, $"t{Guid.NewGuid():N}");
        await using var first = await ChatterServer.StartAsync(settings, directory: directory);
        await using var second = await ChatterServer.StartAsync(settings, directory: directory, writeUsersFile: false);
        try
        {
            await using var onFirst = await first.LoginRawAsync("carol", cancellationToken: ct);
            await using var onSecond = await second.LoginRawAsync("carol", cancellationToken: ct);
            await using var hub = await second.ConnectHubAsync("carol", cancellationToken: ct);
            var hubClosed = Closed(hub.Connection);

            var secondReloaded = Reloaded(second);
            var users = new Dictionary<string, string>(ChatterServer.DefaultUsers);
            users.Remove("carol");
            await first.ReplaceUsersFileAsync(users, ct);
            await secondReloaded.WaitAsync(RawChatClient.DefaultTimeout, ct);

            foreach (var client in new[] { onFirst, onSecond })
            {
                var (status, before) = await client.ReceiveCloseAsync(ct);
                Assert.That((before.Single(), status), Is.EqualTo(("{\"error\": \"invalid credentials\"}", (WebSocketCloseStatus?)WebSocketCloseStatus.PolicyViolation)));
            }

            await hubClosed.WaitAsync(RawChatClient.DefaultTimeout, ct);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task Closed(HubConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static Task Reloaded(ChatterServer server)
    {
        var directory = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Chatter.Server.Authentication.UserDirectory>(server.App.Services);
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        directory.ReloadToken.RegisterChangeCallback(_ => reloaded.TrySetResult(), null);
        return reloaded.Task;
    }
}
