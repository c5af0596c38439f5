using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Chatter.Bench.Clients;

namespace Chatter.Bench.Scenarios;

/// <summary>
/// Wrong logins at a fixed rate while a scenario measures (<c>--attack-logins-per-second R --attack-addresses A</c>): each
/// a raw <c>/ws/chat</c> login with a wrong password for one of the attacked users (<c>--attack-users FILE</c>, default the
/// run's users; make their users.json entries hashed, <c>users hash-all</c>, so that every check the throttle lets
/// through costs a PBKDF2), from the source addresses 127.0.0.1 to 127.0.0.A in turn. Each attempt reads the server's one
/// answer and drops the socket. Attempts are started on schedule whatever the server does, at most
/// <see cref="MaxInFlight"/> at once (past it an attempt is skipped and counted).
/// </summary>
internal sealed class LoginAttack : IAsyncDisposable
{
    /// <summary>Attempts waiting for the server at once; more are skipped (the bench must not become the bottleneck).</summary>
    public const int MaxInFlight = 512;

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly BenchTarget target;
    private readonly double perSecond;
    private readonly BenchUsers users;
    private readonly HttpMessageInvoker[] sources;
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim inFlight = new(MaxInFlight);
    private readonly List<Task> attempts = [];
    private long invalid;
    private long tooMany;
    private long busy;
    private long failed;
    private long skipped;
    private Task? loop;

    private LoginAttack(BenchTarget target, double perSecond, int addresses, BenchUsers users)
    {
        this.target = target;
        this.perSecond = perSecond;
        this.users = users;
        sources = Enumerable.Range(1, addresses).Select(n => new HttpMessageInvoker(LoopbackHandler.From(new IPAddress([127, 0, 0, (byte)n])))).ToArray();
    }

    /// <summary>The attack the settings ask for, or null when they ask for none.</summary>
    public static LoginAttack? For(BenchTarget target, ScenarioSettings settings)
    {
        if (settings.AttackLoginsPerSecond <= 0)
        {
            return null;
        }

        if (settings.AttackAddresses is < 1 or > 254)
        {
            throw new ArgumentException("--attack-addresses is 1 to 254 (127.0.0.1 to 127.0.0.N)");
        }

        return new LoginAttack(target, settings.AttackLoginsPerSecond, settings.AttackAddresses, settings.AttackUsers ?? settings.Users);
    }

    /// <summary>Starts sending attempts on schedule.</summary>
    public void Start() => loop = RunAsync(stop.Token);

    /// <summary>Stops starting attempts and waits for those in flight.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        await Task.WhenAll(attempts);
    }

    /// <summary>Adds the attempts' answers to <paramref name="result"/>.</summary>
    public void AddTo(ScenarioResult result)
        => result.Add("attackAttempts", "attack: wrong logins sent", invalid + tooMany + busy + failed)
            .Add("attackInvalid", "attack: invalid credentials", invalid)
            .Add("attackTooMany", "attack: too many attempts", tooMany)
            .Add("attackBusy", "attack: server busy", busy)
            .Add("attackFailed", "attack: upgrade refused or no answer", failed)
            .Add("attackSkipped", "attack: skipped (bench at its bound)", skipped);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        stop.Dispose();
        inFlight.Dispose();
        foreach (var source in sources)
        {
            source.Dispose();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var ticksPerAttempt = Stopwatch.Frequency / perSecond;
        var origin = Stopwatch.GetTimestamp();
        long sequence = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = (long)Math.Floor((Stopwatch.GetTimestamp() - origin) / ticksPerAttempt) + 1;
                for (; sequence < due; sequence++)
                {
                    if (!inFlight.Wait(0, CancellationToken.None))
                    {
                        Interlocked.Increment(ref skipped);
                        continue;
                    }

                    attempts.Add(AttemptAsync(sequence));
                }

                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), origin + (long)(sequence * ticksPerAttempt));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the attempts in flight finish on their own.
        }
    }

    private async Task AttemptAsync(long sequence)
    {
        try
        {
            using var timeout = new CancellationTokenSource(AttemptTimeout);
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(target.WsUri, sources[sequence % sources.Length], timeout.Token);
            var login = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
            {
                ["username"] = users[(int)(sequence % users.Count)].Key,
                ["password"] = "wrong-" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            await socket.SendAsync(login, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var buffer = new byte[256];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            var reply = Encoding.UTF8.GetString(buffer, 0, received.Count);
            if (reply.Contains("too many attempts", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref tooMany);
            }
            else if (reply.Contains("server busy", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref busy);
            }
            else
            {
                Interlocked.Increment(ref reply.Contains("invalid credentials", StringComparison.Ordinal) ? ref invalid : ref failed);
            }

            // Dropped rather than closed: an attacker does not answer the server's close.
            socket.Abort();
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException or SocketException)
        {
            Interlocked.Increment(ref failed);
        }
        finally
        {
            inFlight.Release();
        }
    }
}
