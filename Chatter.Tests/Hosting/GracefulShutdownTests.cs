using System.Net.WebSockets;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hosting;

/// <summary>
/// SIGTERM to a real server process while a client sends: raw connections close with 1001, SignalR connections close
/// cleanly, every acknowledged message is stored, and the process exits within <c>Chatter:ShutdownDrainSeconds</c>.
/// </summary>
[CancelAfter(180_000)]
[NonParallelizable]
public class GracefulShutdownTests
{
    private const int DrainSeconds = 5;

    /// <summary>Process exit after the host has stopped (flushing logs, the runtime's own exit) is not the drain's.</summary>
    private static readonly TimeSpan ExitSlack = TimeSpan.FromSeconds(5);

    [TestCase("sqlite")]
    [TestCase("redis")]
    public async Task SigtermClosesConnectionsStoresEveryAcknowledgedMessageAndExitsWithinTheDrainTime(string store, CancellationToken ct)
    {
        await using var redis = store == "redis" ? await RedisServer.StartAsync(cancellationToken: ct) : null;
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "users.json"), """{"test1":"pass1","test2":"pass2"}""", ct);
            // The sender floods as fast as it can: the rate limit is not what this test is about.
            List<string> settings = ["--Chatter:History:ReplayLimit=100000", "--Chatter:History:ReplayMaxTotal=100000", $"--Chatter:ShutdownDrainSeconds={DrainSeconds}", "--Chatter:Limits:MessagesPerSecond=0"];
            if (redis is not null)
            {
                settings.Add($"--Chatter:Redis:Configuration={redis.Configuration}");
                settings.Add($"--Chatter:Token:SigningKey={ChatterCluster.SigningKey}");
            }

            var acked = new List<long>();
            await using (var server = await ChatterProcess.StartAsync(directory, ct, [.. settings]))
            {
                await using var sender = await server.LoginRawAsync("test1", "pass1", cancellationToken: ct);
                await using var hub = await server.ConnectHubAsync("test2", "pass2", cancellationToken: ct);
                var hubClosed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
                hub.Connection.Closed += error =>
                {
                    hubClosed.TrySetResult(error);
                    return Task.CompletedTask;
                };

                // Many messages in flight, and the signal once the first is acknowledged: some are stored, some are
                // being stored, some not yet read when the node stops.
                const int count = 2_000;
                var sending = Task.Run(async () =>
                {
                    for (var i = 0; i < count; i++)
                    {
                        try
                        {
                            await sender.SendChatAsync("drain", $"m{i}", $"{i}", ct);
                        }
                        catch (WebSocketException)
                        {
                            return; // The server closed: the rest were never sent.
                        }
                    }
                }, ct);
                var frame = await sender.ReceiveAsync(cancellationToken: ct);
                acked.Add(RawAck.Parse(frame.Text!).Id);

                var (exitCode, elapsed) = await server.TerminateAsync(TimeSpan.FromSeconds(DrainSeconds) + TimeSpan.FromSeconds(30), ct);

                while (!(frame = await sender.ReceiveAsync(cancellationToken: ct)).IsClose)
                {
                    if (RawChatMessage.IsAck(frame.Text!))
                    {
                        acked.Add(RawAck.Parse(frame.Text!).Id);
                    }
                    else
                    {
                        Assert.That(RawError.Parse(frame.Text!).Reason, Is.EqualTo("message not stored"), "a message refused while stopping");
                    }
                }

                await sending;
                Assert.Multiple(async () =>
                {
                    Assert.That(frame.CloseStatus, Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable), "raw clients get 1001 going away");
                    Assert.That(await hubClosed.Task.WaitAsync(RawChatClient.DefaultTimeout, ct), Is.Null, "the SignalR connection closed cleanly");
                    Assert.That(exitCode, Is.Zero, "exit code");
                    Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(DrainSeconds) + ExitSlack), "exit within the drain time");
                });
            }

            await using var restarted = await ChatterProcess.StartAsync(directory, ct, [.. settings]);
            await using var reader = await restarted.ConnectHubAsync("test2", "pass2", cancellationToken: ct);
            var stored = await reader.GetHistoryAsync("drain", null, 500, ct);
            var all = new List<long>();
            while (stored.Length > 0)
            {
                all.InsertRange(0, stored.Select(m => m.Id));
                stored = await reader.GetHistoryAsync("drain", stored[0].Id, 500, ct);
            }

            Assert.That(all, Is.SupersetOf(acked), "every acknowledged message is stored");
            TestContext.Out.WriteLine($"{store}: {acked.Count} acknowledged, {all.Count} stored");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
