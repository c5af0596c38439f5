using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Chatter.Protocol;
using Chatter.Server.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Infrastructure;

/// <summary>Logins that are expected to fail, and edits of a running server's users file.</summary>
public static class ChatterServerLogins
{
    /// <summary>A raw login that must be answered <c>{"error": "invalid credentials"}</c> and closed with 1008.</summary>
    public static async Task AssertRawLoginRefusedAsync(this ChatterServer server, string user, string password, CancellationToken cancellationToken = default)
    {
        await using var client = await server.ConnectRawAsync(cancellationToken);
        await client.LoginAsync(user, password, cancellationToken: cancellationToken);
        var (status, before) = await client.ReceiveCloseAsync(cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(new[] { "{\"error\": \"invalid credentials\"}" }), $"raw login of {user}");
            Assert.That(status, Is.EqualTo(WebSocketCloseStatus.PolicyViolation), $"raw login of {user}");
        });
    }

    /// <summary>The status of <c>POST /api/token</c> for these credentials.</summary>
    public static async Task<HttpStatusCode> PostTokenStatusAsync(this ChatterServer server, string user, string password, CancellationToken cancellationToken = default)
    {
        using var response = await server.Http.PostAsJsonAsync("/api/token", new TokenRequest(user, password), cancellationToken);
        return response.StatusCode;
    }

    /// <summary>A constraint for an HTTP call (such as a hub connection's negotiate) refused with <paramref name="status"/>.</summary>
    public static NUnit.Framework.Constraints.IResolveConstraint FailsWithStatus(HttpStatusCode status)
        => Throws.InstanceOf<HttpRequestException>().With.Property(nameof(HttpRequestException.StatusCode)).EqualTo(status);

    /// <summary>
    /// Replaces the users file as an editor saving atomically does (write a temporary file, rename it over the
    /// old one) and returns once the server has re-read it. The reload token is taken before the file changes.
    /// </summary>
    public static Task ReplaceUsersFileAsync(this ChatterServer server, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken = default)
        => server.ReplaceUsersFileAsync(JsonSerializer.Serialize(users), cancellationToken);

    /// <inheritdoc cref="ReplaceUsersFileAsync(ChatterServer, IReadOnlyDictionary{string, string}, CancellationToken)"/>
    public static async Task ReplaceUsersFileAsync(this ChatterServer server, string content, CancellationToken cancellationToken = default)
    {
        var directory = server.App.Services.GetRequiredService<UserDirectory>();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = directory.ReloadToken.RegisterChangeCallback(_ => reloaded.TrySetResult(), null);

        var temporary = server.UsersFile + ".saving";
        await File.WriteAllTextAsync(temporary, content, cancellationToken);
        File.Move(temporary, server.UsersFile, overwrite: true);

        await reloaded.Task.WaitAsync(RawChatClient.DefaultTimeout, cancellationToken);
    }
}
