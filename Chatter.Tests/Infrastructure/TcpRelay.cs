using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// A TCP relay between clients and a real server: it accepts on a free loopback port and pipes every byte both ways,
/// so what goes through it is the real HTTP, WebSocket and SignalR traffic. <see cref="CutAll"/> resets every
/// connection it carries at once (both ends see a reset, as when a network path dies); <see cref="Hold"/> keeps new
/// connections waiting, unconnected, until <see cref="Release"/>, so a test knows the cut lasts while it acts.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<Link, Task> links = new();
    private readonly Lock gate = new();
    private TaskCompletionSource open = Opened();
    private TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task accepting = Task.CompletedTask;

    private TcpRelay(Uri server) => target = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);

    /// <summary>The relay's address: use it in place of the server's (same scheme, its own port).</summary>
    public Uri Uri { get; private set; } = null!;

    /// <summary>Starts relaying to <paramref name="server"/> (a 127.0.0.1 address).</summary>
    public static TcpRelay Start(Uri server)
    {
        var relay = new TcpRelay(server);
        relay.listener.Start();
        relay.Uri = new UriBuilder(server) { Port = ((IPEndPoint)relay.listener.LocalEndpoint).Port }.Uri;
        relay.accepting = relay.AcceptAsync();
        return relay;
    }

    /// <summary>From now on new connections are accepted but wait, not yet relayed, until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (gate)
        {
            if (open.Task.IsCompleted)
            {
                open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>The waiting connections, and every later one, are relayed.</summary>
    public void Release()
    {
        lock (gate)
        {
            open.TrySetResult();
        }
    }

    /// <summary>Completes once a connection waits because of <see cref="Hold"/> (a client is trying to come back).</summary>
    public Task WaitForHeldConnectionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return held.Task.WaitAsync(timeout, cancellationToken);
        }
    }

    /// <summary>Resets every connection relayed now, both ends at once; returns how many there were.</summary>
    public int CutAll()
    {
        var cut = 0;
        foreach (var link in links.Keys)
        {
            link.Reset();
            cut++;
        }

        return cut;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Release();
        CutAll();
        await accepting;
        await Task.WhenAll(links.Values);
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptSocketAsync(stop.Token);
                var link = new Link(client);
                links[link] = RelayAsync(link);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay is disposed: an ordinary end.
        }
    }

    private async Task RelayAsync(Link link)
    {
        try
        {
            Task waitForOpen;
            lock (gate)
            {
                waitForOpen = open.Task;
                if (!waitForOpen.IsCompleted)
                {
                    held.TrySetResult();
                }
            }

            await waitForOpen.WaitAsync(stop.Token);
            await link.Upstream.ConnectAsync(target, stop.Token);
            await Task.WhenAll(PumpAsync(link.Client, link.Upstream, link), PumpAsync(link.Upstream, link.Client, link));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or the relay is disposed.
        }
        finally
        {
            link.Reset();
            links.TryRemove(link, out _);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, Link link)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            // An orderly close from one side is passed on as one.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut (ours or a peer's reset): the other direction ends with it.
            link.Reset();
        }
    }

    private static TaskCompletionSource Opened()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        opened.SetResult();
        return opened;
    }

    /// <summary>One relayed connection: the client's socket and the one to the server.</summary>
    private sealed class Link(Socket client)
    {
        private int reset;

        public Socket Client { get; } = client;

        public Socket Upstream { get; } = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        /// <summary>Closes both sockets with a reset (linger 0), once.</summary>
        public void Reset()
        {
            if (Interlocked.Exchange(ref reset, 1) != 0)
            {
                return;
            }

            foreach (var socket in new[] { Client, Upstream })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Never connected or already gone: closing is all that is left.
                }

                socket.Close();
            }
        }
    }
}
