using Chatter.Protocol;
using Chatter.Server.Diagnostics;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Log = Chatter.Server.Hubs.DeliveryLog;

namespace Chatter.Server.Hubs;

/// <summary>
/// A hub connection as the lifetime manager (in-process or Redis) sees it: every broadcast to the connection
/// passes through here, on whichever node it originated. It gives two guarantees the bare connection lacks:
/// <list type="number">
/// <item><b>Replay before live, no gap, no duplicate.</b> The lifetime manager registers a connection before the hub's
/// <c>OnConnectedAsync</c> reads the history, so live messages are held until the replay is written; then the held
/// ones go out, except those the replay already carried. Those are also dropped if they arrive a little later
/// (a message stored before the replay's snapshot but broadcast after it).</item>
/// <item><b>One slow client never slows the others.</b> A write never makes the broadcaster wait: it is queued on the
/// connection (in order) and the broadcaster moves on. A connection with more than
/// <c>Chatter:Limits:OutboundBufferMessages</c> writes it has not taken is closed as a slow consumer.</item>
/// </list>
/// </summary>
internal sealed class DeliveryContext : HubConnectionContext
{
    /// <summary>How long after going live a replayed message is still recognised as a late duplicate.</summary>
    private static readonly TimeSpan ReplayGrace = TimeSpan.FromSeconds(30);

    /// <summary>The base class's options, read in its constructor only: one instance for all.</summary>
    private static readonly HubConnectionContextOptions BaseOptions = new();

    private readonly HubConnectionContext connection;
    private readonly RawHubProtocol rawProtocol;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ChatterMetrics metrics;
    private readonly int maxQueued;
    private readonly Lock gate = new();
    private List<SerializedHubMessage>? held = [];
    private long[]? replayedIds;
    private long replayGraceEnds;
    private int queued;
    private int slow;

    public DeliveryContext(HubConnectionContext connection, RawHubProtocol rawProtocol, int maxQueued, ChatterMetrics metrics, TimeProvider time, ILoggerFactory loggers, ILogger logger)
        : base(new ForwardingConnectionContext(connection), BaseOptions, loggers)
    {
        this.connection = connection;
        this.rawProtocol = rawProtocol;
        this.maxQueued = maxQueued;
        this.metrics = metrics;
        this.time = time;
        this.logger = logger;
        UserIdentifier = connection.UserIdentifier;
    }

    public override string ConnectionId => connection.ConnectionId;

    public override IFeatureCollection Features => connection.Features;

    public override IDictionary<object, object?> Items => connection.Items;

    public override System.Security.Claims.ClaimsPrincipal User => connection.User;

    public override CancellationToken ConnectionAborted => connection.ConnectionAborted;

    public override IHubProtocol Protocol
    {
        get => connection.Protocol;
        set => connection.Protocol = value;
    }

    /// <summary>The delivery context of the hub's current connection.</summary>
    public static DeliveryContext Of(HubCallerContext context) => (DeliveryContext)context.Items[typeof(DeliveryContext)]!;

    /// <summary>Writes the replay straight to the connection, then releases the held live messages and lets later ones through.</summary>
    public async Task ReplayThenGoLiveAsync(IReadOnlyList<ChatMessage> replay, CancellationToken cancellationToken)
    {
        foreach (var message in replay)
        {
            // The replay is this connection's alone, so it is serialized for it alone.
            await connection.WriteAsync(new InvocationMessage(nameof(IChatClient.ReceiveMessage), [message]), cancellationToken);
        }

        lock (gate)
        {
            if (replay.Count > 0)
            {
                replayedIds = new long[replay.Count];
                for (var i = 0; i < replay.Count; i++)
                {
                    replayedIds[i] = replay[i].Id;
                }

                Array.Sort(replayedIds);
                replayGraceEnds = time.GetTimestamp() + (long)(ReplayGrace.TotalSeconds * time.TimestampFrequency);
            }

            foreach (var message in held!)
            {
                if (!WasReplayed(message))
                {
                    Forward(message);
                }
            }

            held = null;
        }
    }

    public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref held) is not null || replayedIds is not null)
        {
            lock (gate)
            {
                if (held is not null)
                {
                    if (held.Count >= maxQueued)
                    {
                        CloseSlowConsumer();
                    }
                    else
                    {
                        held.Add(message);
                    }

                    return default;
                }

                if (WasReplayed(message))
                {
                    return default;
                }
            }
        }

        Forward(message);
        return default;
    }

    public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default)
    {
        // Messages to this connection alone (none of which are replayed chat messages): in order, never held.
        Track(connection.WriteAsync(message, CancellationToken.None));
        return default;
    }

    public override void Abort() => connection.Abort();

    /// <summary>True once the connection was closed for not taking its messages.</summary>
    public bool IsSlowConsumer => Volatile.Read(ref slow) == 1;

    private void Forward(SerializedHubMessage message)
    {
        metrics.MessageDelivered();
        Track(connection.WriteAsync(message, CancellationToken.None));
    }

    private void Track(ValueTask write)
    {
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            return;
        }

        // The connection's own write lock keeps queued writes in order; we only count them.
        if (Interlocked.Increment(ref queued) > maxQueued)
        {
            CloseSlowConsumer();
        }

        _ = CompleteAsync(write);
    }

    private async Task CompleteAsync(ValueTask write)
    {
        try
        {
            // HubConnectionContext.WriteAsync reports failures by aborting the connection, never by throwing.
            await write;
        }
        finally
        {
            Interlocked.Decrement(ref queued);
        }
    }

    private void CloseSlowConsumer()
    {
        if (Interlocked.Exchange(ref slow, 1) == 0)
        {
            Log.SlowConsumer(logger, UserIdentifier, ConnectionId, maxQueued);
            connection.Abort();

            // The hub's abort alone waits for the write the client never takes; the transport must end too
            // (a raw connection's pump closes its socket on this; SignalR's own transports also end on it).
            connection.Features.Get<IConnectionLifetimeFeature>()?.Abort();
        }
    }

    private bool WasReplayed(SerializedHubMessage message)
    {
        if (replayedIds is null)
        {
            return false;
        }

        if (time.GetTimestamp() > replayGraceEnds)
        {
            replayedIds = null;
            return false;
        }

        return TryGetMessageId(message, out var id) && Array.BinarySearch(replayedIds, id) >= 0;
    }

    private bool TryGetMessageId(SerializedHubMessage message, out long id)
    {
        if (message.Message is InvocationMessage { Target: nameof(IChatClient.ReceiveMessage), Arguments: [ChatMessage chat] })
        {
            id = chat.Id;
            return true;
        }

        // A message from another node arrives serialized only (Redis backplane): read the id from the raw form.
        if (message.Message is null)
        {
            return RawHubProtocol.TryReadMessageId(message.GetSerializedMessage(rawProtocol).Span, out id);
        }

        id = 0;
        return false;
    }

    /// <summary>
    /// The base class needs a <see cref="ConnectionContext"/>; every member it would read is overridden above,
    /// so this one only answers for the real connection's id, features and items.
    /// </summary>
    private sealed class ForwardingConnectionContext(HubConnectionContext connection) : ConnectionContext
    {
        public override string ConnectionId
        {
            get => connection.ConnectionId;
            set => throw new NotSupportedException();
        }

        public override IFeatureCollection Features => connection.Features;

        public override IDictionary<object, object?> Items
        {
            get => connection.Items;
            set => throw new NotSupportedException();
        }

        public override System.IO.Pipelines.IDuplexPipe Transport
        {
            get => throw new NotSupportedException("a delivery context writes through its connection");
            set => throw new NotSupportedException();
        }
    }
}

internal static partial class DeliveryLog
{
    [LoggerMessage(300, LogLevel.Warning, "Closing {ConnectionId} of {User}: slow consumer, more than {MaxQueued} messages not taken")]
    public static partial void SlowConsumer(ILogger logger, string? user, string connectionId, int maxQueued);

    [LoggerMessage(302, LogLevel.Warning, "{Open} SignalR connections still open after {Seconds} seconds of shutdown; they are aborted")]
    public static partial void ShutdownCloseTimedOut(ILogger logger, int open, double seconds);

    [LoggerMessage(301, LogLevel.Warning, "Backplane could not (un)register {ConnectionId} of {User}; it still receives broadcasts once Redis answers")]
    public static partial void BackplaneRegistrationFailed(ILogger logger, string? user, string connectionId, Exception exception);
}
