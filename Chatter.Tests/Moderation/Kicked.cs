using System.Net.WebSockets;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Moderation;

/// <summary>What the moderation tests share: an admin's settings, and how a kicked connection is seen to close.</summary>
internal static class Kicked
{
    /// <summary>The raw frame a kicked connection gets before its close (and a kicked user's login refusal).</summary>
    public const string Frame = "{\"error\": \"kicked\"}";

    /// <summary>Settings that make <c>alice</c> an admin (plus <paramref name="extra"/>).</summary>
    public static Dictionary<string, string?> AliceIsAdmin(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Chatter:Admins:0"] = "alice" };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Asserts that <paramref name="client"/> gets <see cref="Frame"/> as its last frame, then close 1008.</summary>
    public static async Task AssertKickedAsync(RawChatClient client, string name, CancellationToken cancellationToken)
    {
        var (status, before) = await client.ReceiveCloseAsync(cancellationToken);
        Assert.That((before.Count > 0 ? before[^1] : null, status), Is.EqualTo((Frame, (WebSocketCloseStatus?)WebSocketCloseStatus.PolicyViolation)), name);
    }

    /// <summary>Completes with the error a SignalR connection closed with.</summary>
    public static Task<Exception?> ClosedAsync(HubConnection connection)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    /// <summary>Asserts that a raw login of <paramref name="user"/> with the right password is refused as kicked.</summary>
    public static async Task AssertRawLoginKickedAsync(ChatterServer server, string user, CancellationToken cancellationToken)
    {
        await using var client = await server.ConnectRawAsync(cancellationToken);
        await client.LoginAsync(user, ChatterServer.DefaultUsers[user], cancellationToken: cancellationToken);
        var (status, before) = await client.ReceiveCloseAsync(cancellationToken);
        Assert.That((before.SingleOrDefault(), status), Is.EqualTo((Frame, (WebSocketCloseStatus?)WebSocketCloseStatus.PolicyViolation)), $"raw login of {user}");
    }
}
