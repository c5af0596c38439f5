using System.Net.WebSockets;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Hardening;

/// <summary>
/// <c>Chatter:Limits:MaxConnections</c> and <c>MaxConnectionsPerUser</c>: past either, a raw login gets
/// <c>{"error": "too many connections"}</c> and close 1008, and a SignalR connection is closed with that error.
/// A slot is free again once its connection has ended.
/// </summary>
[CancelAfter(90_000)]
public class ConnectionLimitTests
{
    private const string TooManyConnections = "{\"error\": \"too many connections\"}";

    [Test]
    public async Task AUserPastItsLimitIsRefusedOnBothTransportsOthersAreNot(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:MaxConnectionsPerUser"] = "2" });
        await using var first = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var second = await server.ConnectHubAsync("test1", cancellationToken: ct);
        // A SignalR connection takes its slot in OnConnectedAsync, which runs after the client's start has returned.
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test1" && LogCapture.Property(e, "Transport") == "signalr", cancellationToken: ct);

        Assert.That(await RefusedRawLoginAsync(server, "test1", "pass1", ct), Is.EqualTo((TooManyConnections, WebSocketCloseStatus.PolicyViolation)));
        Assert.That(await RefusedHubConnectionAsync(server, "test1", ct), Does.EndWith("too many connections"));

        await using var other = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var otherHub = await server.ConnectHubAsync("test2", cancellationToken: ct);

        // The refused attempts took no slot, and a closed connection gives its slot back.
        // The slot is free once first's request has ended (its request log event, which comes after the slot's release).
        var firstRequest = LogCapture.Property(server.Logs.WithEventId(110).First(e => LogCapture.Property(e, "User") == "test1" && LogCapture.Property(e, "Transport") == "raw"), "RequestId");
        var gone = server.Logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP", StringComparison.Ordinal) && LogCapture.Property(e, "RequestId") == firstRequest, cancellationToken: ct);
        await first.CloseAsync();
        await gone;
        await using var again = await server.LoginRawAsync("test1", cancellationToken: ct);
        await again.AssertNothingBeforeOwnAckAsync("t", ct);
    }

    [Test]
    public async Task TheServerPastItsLimitRefusesEveryone(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:Limits:MaxConnections"] = "3" });
        await using var a = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var c = await server.ConnectHubAsync("test3", cancellationToken: ct);
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == "test3", cancellationToken: ct);

        Assert.That(await RefusedRawLoginAsync(server, "alice", "alice-pw", ct), Is.EqualTo((TooManyConnections, WebSocketCloseStatus.PolicyViolation)));
        Assert.That(await RefusedHubConnectionAsync(server, "bob", ct), Does.EndWith("too many connections"));

        // Those connected are undisturbed.
        await a.SendChatAsync("t", "still here", cancellationToken: ct);
        Assert.That((await b.ReceiveMessageAsync(ct)).Message, Is.EqualTo("still here"));
        Assert.That((await c.ReceiveAsync(cancellationToken: ct)).Message, Is.EqualTo("still here"));
    }

    [Test]
    public async Task ZeroTurnsTheLimitsOff(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?>
        {
            ["Chatter:Limits:MaxConnections"] = "0",
            ["Chatter:Limits:MaxConnectionsPerUser"] = "0",
        });
        var clients = new List<RawChatClient>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                clients.Add(await server.LoginRawAsync("test1", cancellationToken: ct));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task TheDefaultPerUserLimitIs32(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var clients = new List<RawChatClient>();
        try
        {
            for (var i = 0; i < 32; i++)
            {
                clients.Add(await server.LoginRawAsync("test1", cancellationToken: ct));
            }

            Assert.That(await RefusedRawLoginAsync(server, "test1", "pass1", ct), Is.EqualTo((TooManyConnections, WebSocketCloseStatus.PolicyViolation)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    internal static async Task<(string Reply, WebSocketCloseStatus? Close)> RefusedRawLoginAsync(ChatterServer server, string user, string password, CancellationToken ct)
    {
        await using var client = await server.ConnectRawAsync(ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var reply = await client.ReceiveTextAsync(ct);
        var (status, _) = await client.ReceiveCloseAsync(ct);
        return (reply, status);
    }

    /// <summary>Connects a SignalR client that the server must close; returns the close error's message.</summary>
    internal static async Task<string> RefusedHubConnectionAsync(ChatterServer server, string user, CancellationToken ct)
    {
        var token = await server.GetTokenAsync(user, cancellationToken: ct);
        await using var connection = HubChatClient.Build(server.HubUri, token);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        try
        {
            await connection.StartAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The close may arrive while the start is still completing.
            return ex.Message;
        }

        var error = await closed.Task.WaitAsync(RawChatClient.DefaultTimeout, ct);
        Assert.That(error, Is.Not.Null, "closed by the server with an error");
        return error!.Message;
    }
}
