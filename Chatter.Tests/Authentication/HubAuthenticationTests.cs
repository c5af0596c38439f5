using System.Net;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Authentication;

/// <summary><c>/hubs/chat</c> takes only a token from <c>POST /api/token</c>; anything else is a 401.</summary>
[CancelAfter(60_000)]
public class HubAuthenticationTests
{
    [Test]
    public async Task HubConnectionWithoutATokenFailsWith401(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var connection = HubChatClient.Build(server.HubUri, token: null);

        await Assert.ThatAsync(() => connection.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Unauthorized));
    }

    [TestCase("garbage")]
    [TestCase("eyJzdWIiOiJ0ZXN0MSIsImV4cCI6OTk5OTk5OTk5OX0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("a.b.c")]
    public async Task HubConnectionWithAGarbageTokenFailsWith401(string token, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        await using var connection = HubChatClient.Build(server.HubUri, token);

        await Assert.ThatAsync(() => connection.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task TokenOfAnotherServerFailsWith401(CancellationToken ct)
    {
        // Without Chatter:Token:SigningKey each server signs with its own random key.
        await using var issuer = await ChatterServer.StartAsync();
        await using var server = await ChatterServer.StartAsync();
        var token = await issuer.GetTokenAsync("test1", cancellationToken: ct);
        await using var connection = HubChatClient.Build(server.HubUri, token);

        await Assert.ThatAsync(() => connection.StartAsync(ct), ChatterServerLogins.FailsWithStatus(HttpStatusCode.Unauthorized));
    }
}
