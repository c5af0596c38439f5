using System.Net.Http.Json;
using Chatter.Protocol;

namespace Chatter.Tests.Infrastructure;

/// <summary>Clients of a <see cref="ChatterProcess"/>, logged in as users of its users file.</summary>
public static class ChatterProcessClients
{
    /// <summary>A raw client logged in as <paramref name="user"/>, its <c>{"auth": "ok"}</c> already read.</summary>
    public static async Task<RawChatClient> LoginRawAsync(this ChatterProcess server, string user, string password, long? since = null, CancellationToken cancellationToken = default)
    {
        var client = await RawChatClient.ConnectAsync(server.WsUri, cancellationToken);
        await client.LoginAsync(user, password, since, cancellationToken);
        Assert.That(await client.ReceiveTextAsync(cancellationToken), Is.EqualTo("{\"auth\": \"ok\"}"), $"login of {user}");
        return client;
    }

    /// <summary>A started SignalR client with a token from this process.</summary>
    public static async Task<HubChatClient> ConnectHubAsync(this ChatterProcess server, string user, string password, long? since = null, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        using var response = await http.PostAsJsonAsync("/api/token", new TokenRequest(user, password), cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, cancellationToken);
        return await HubChatClient.ConnectAsync(server.HubUri, token!.Token, since, cancellationToken);
    }
}
