using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Hubs;

/// <summary>
/// SignalR's stateful reconnect on <c>/hubs/chat</c> (<c>Chatter:SignalR</c>), through a real TCP relay that cuts the
/// client's socket, with the default lifetime manager (the Redis backplane: <c>Backplane.StatefulReconnectAcrossNodesTests</c>).
/// </summary>
[CancelAfter(120_000)]
public class StatefulReconnectTests
{
    [Test]
    public async Task ClientWithStatefulReconnectLosesNoMessageAndGetsNoneTwiceWhenItsSocketIsCut(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);

        await StatefulReconnectScenario.RunAsync(server, server, ct);
    }

    [Test]
    public async Task WithStatefulReconnectTurnedOffTheCutEndsTheConnection(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:SignalR:StatefulReconnect"] = "false" });
        await using var relay = TcpRelay.Start(server.HttpUri);
        var token = await server.GetTokenAsync("alice", cancellationToken: ct);
        await using var alice = await HubChatClient.ConnectStatefulAsync(new Uri(relay.Uri, "/hubs/chat"), token, ct);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        relay.CutAll();

        // The relay's test above can fail: without the server's consent the client cannot resume.
        await closed.Task.WaitAsync(StatefulReconnectScenario.StepTimeout, ct);
        Assert.That(alice.Connection.State, Is.EqualTo(HubConnectionState.Disconnected));
    }

    [Test]
    public async Task BufferSizeSettingIsSignalRsStatefulReconnectBuffer()
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { ["Chatter:SignalR:StatefulReconnectBufferBytes"] = "200000" });
        await using var defaults = await ChatterServer.StartAsync();

        Assert.Multiple(() =>
        {
            Assert.That(server.App.Services.GetRequiredService<IOptions<HubOptions>>().Value.StatefulReconnectBufferSize, Is.EqualTo(200_000));
            Assert.That(defaults.App.Services.GetRequiredService<IOptions<HubOptions>>().Value.StatefulReconnectBufferSize, Is.EqualTo(1024 * 1024));
        });
    }
}
