using System.Diagnostics;
using Chatter.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;

namespace Chatter.Tests.Hardening;

/// <summary>
/// A client that stops reading is closed as a slow consumer once its outbound buffer is full
/// (<c>Chatter:Limits:OutboundBufferMessages</c> messages queued, behind <c>Chatter:Limits:OutboundBufferBytes</c>
/// bytes of raw frames or SignalR's 64 KiB transport buffer), with log event 300; the others receive everything.
/// <para>
/// The kernel's TCP buffers would absorb megabytes on loopback before the server sees backpressure, so both ends
/// fix theirs: the stalled client's receive buffer (<see cref="StalledClient.ReceiveBufferBytes"/>) and the server's
/// send buffer (<see cref="ServerSendBufferBytes"/>, inherited by accepted sockets); Linux doubles each. What is left
/// is the server's own bound, which the test measures by the messages stored before the stalled client was closed.
/// </para>
/// </summary>
[CancelAfter(240_000)]
public class SlowConsumerTests
{
    private const int Senders = 50;
    private const int MessagesEach = 400;
    private const int Window = 8;
    private const int OutboundBufferMessages = 4096;
    private const int OutboundBufferBytes = 64 * 1024;
    private const int ServerSendBufferBytes = 64 * 1024;

    /// <summary>SignalR's <c>HttpConnectionDispatcherOptions.TransportMaxBufferSize</c> default: the hub connection's outbound pipe.</summary>
    private const int SignalRTransportBytes = 64 * 1024;

    private const string StalledUser = "stalled";
    private static readonly string Padding = new('x', 180);

    [Test]
    public async Task StalledRawClientIsClosedWithinItsBoundWhileFiftyOthersReceiveEveryMessage(CancellationToken ct)
    {
        await using var server = await StartServerAsync();
        await using var stalled = await StalledClient.LoginRawAsync(server.WsUri, StalledUser, TestUsers.PasswordOf(StalledUser), ct);

        await FloodAndAssertAsync(server, stalled, transportBytes: OutboundBufferBytes, ct);
    }

    [Test]
    public async Task StalledSignalRClientIsClosedWithinItsBoundWhileFiftyOthersReceiveEveryMessage(CancellationToken ct)
    {
        await using var server = await StartServerAsync();
        var token = await server.GetTokenAsync(StalledUser, TestUsers.PasswordOf(StalledUser), ct);
        await using var stalled = await StalledClient.ConnectHubAsync(server.HubUri, token, ct);

        await FloodAndAssertAsync(server, stalled, transportBytes: SignalRTransportBytes, ct);
    }

    private static Task<ChatterServer> StartServerAsync()
    {
        var users = TestUsers.Numbered(Senders);
        users[StalledUser] = TestUsers.PasswordOf(StalledUser);
        return ChatterServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Chatter:History:Store"] = "memory",
                ["Chatter:Limits:MessagesPerSecond"] = "0",
                ["Chatter:Limits:OutboundBufferMessages"] = $"{OutboundBufferMessages}",
                ["Chatter:Limits:OutboundBufferBytes"] = $"{OutboundBufferBytes}",
            },
            users,
            configureServices: services => services.Configure<SocketTransportOptions>(transport => transport.CreateBoundListenSocket = endpoint =>
            {
                var listener = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                listener.SendBufferSize = ServerSendBufferBytes;
                return listener;
            }));
    }

    private static async Task FloodAndAssertAsync(ChatterServer server, StalledClient stalled, int transportBytes, CancellationToken ct)
    {
        // The stalled client is live (its replay done) before the flood starts.
        await server.Logs.WaitForEventAsync(200, e => LogCapture.Property(e, "User") == StalledUser, cancellationToken: ct);
        var clients = new FloodClient[Senders];
        for (var i = 0; i < Senders; i++)
        {
            clients[i] = await FloodClient.LoginAsync(server.WsUri, i, $"u{i}", TestUsers.PasswordOf($"u{i}"), ct);
        }

        try
        {
            var watch = Stopwatch.StartNew();
            var expected = (Senders - 1) * MessagesEach;
            using var flood = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                await Task.WhenAll(clients.Select(c => Task.Run(
                    async () =>
                    {
                        try
                        {
                            await c.RunAsync("flood", MessagesEach, Padding, Window, Senders, expected, flood.Token);
                        }
                        catch
                        {
                            // One client cut off means the others wait for its messages forever: stop them all.
                            await flood.CancelAsync();
                            throw;
                        }
                    },
                    ct)));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                var slowUsers = server.Logs.WithEventId(300).Select(e => LogCapture.Property(e, "User"));
                Assert.Fail($"the flood failed ({ex.GetType().Name}): {string.Join("; ", clients.SelectMany(c => c.Failures))}; slow consumers: {string.Join(", ", slowUsers)}");
            }

            TestContext.Out.WriteLine($"{Senders} clients exchanged {Senders * MessagesEach} messages in {watch.Elapsed.TotalSeconds:F1} s");

            Assert.Multiple(() =>
            {
                Assert.That(clients.SelectMany(c => c.Failures), Is.Empty, "every other client's delivery");
                Assert.That(clients.Select(c => c.Received), Has.All.EqualTo(expected), "messages each of the others received");
                Assert.That(clients.Select(c => c.Acked), Has.All.EqualTo(MessagesEach), "acks each of the others received");
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        var slow = await server.Logs.WaitForEventAsync(300, cancellationToken: ct);
        var connectionId = LogCapture.Property(slow, "ConnectionId");
        var storedBefore = StoredBefore(server.Logs, slow);

        // Frames are at least as long as their message text, so this many messages fill the byte buffers.
        var bytesInMessages = (transportBytes + (2 * (StalledClient.ReceiveBufferBytes + ServerSendBufferBytes))) / (Padding.Length + 8);
        var bound = OutboundBufferMessages + bytesInMessages + (Senders * Window);
        TestContext.Out.WriteLine($"slow consumer closed after {storedBefore} messages were stored (bound {bound}: {OutboundBufferMessages} queued + {bytesInMessages} in byte buffers + {Senders * Window} in flight)");
        Assert.Multiple(() =>
        {
            Assert.That(LogCapture.Property(slow, "User"), Is.EqualTo(StalledUser), "the slow consumer closed");
            Assert.That(slow.Level, Is.EqualTo(LogEventLevel.Warning));
            Assert.That(server.Logs.WithEventId(300).Count(), Is.EqualTo(1), "no other client was a slow consumer");
            Assert.That(storedBefore, Is.InRange(OutboundBufferMessages, bound), "closed once its buffer was full, not before and not much later");
        });

        await server.Logs.WaitForEventAsync(201, e => LogCapture.Property(e, "ConnectionId") == connectionId, cancellationToken: ct);
        Assert.That(await stalled.DrainUntilEndedAsync(TimeSpan.FromSeconds(30), ct), Is.True, "the server ended the stalled client's socket");
    }

    /// <summary>The messages stored (event 202) before <paramref name="slow"/> was logged.</summary>
    private static int StoredBefore(LogCapture logs, LogEvent slow)
    {
        var stored = 0;
        foreach (var e in logs.Events)
        {
            if (ReferenceEquals(e, slow))
            {
                return stored;
            }

            if (LogCapture.EventIdOf(e) == 202)
            {
                stored++;
            }
        }

        throw new InvalidOperationException("the slow consumer event is not among the captured events");
    }
}
