using Chatter.Protocol;
using Chatter.Server.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Log = Chatter.Server.Delivery.DeliveryLog;

namespace Chatter.Server.Delivery;

/// <summary>
/// A hub connection as the lifetime manager (in-process or Redis) sees it: every message the lifetime manager sends
/// to the connection, from whichever node, is put in the connection's <see cref="Outbox"/> here, and never
/// waits. SignalR has no other non-blocking fan-out hook, so this is a <see cref="HubConnectionContext"/> whose writes
/// only enqueue; every other member is the real connection's.
/// <para>
/// The replay gate: the lifetime manager lists a connection before the hub reads its replay, so live messages that
/// arrive first are held (bounded by the queue's message limit); once the replay is queued, the held ones go out
/// except the history (id at or below the replay's high-water id), and from then on a message is dropped when its
/// id is at or below the high-water id and delivered otherwise. Ids are numbered in commit order by every store, so
/// that is exact: no grace window, and no lock once live.
/// </para>
/// </summary>
public sealed class DeliveryConnection : HubConnectionContext, IDelivery
{
    /// <summary>Messages waiting from which the reader counts as behind: a typing notice for it is dropped.</summary>
    public const int DroppableBacklog = 32;

    /// <summary>The base class's options, read in its constructor only: one instance for all.</summary>
    private static readonly HubConnectionContextOptions BaseOptions = new();

    private readonly HubConnectionContext connection;
    private readonly Outbox queue;
    private readonly IChatMessageIds ids;
    private readonly ChatterMetrics metrics;
    private readonly Checkpoints checkpoints;
    private readonly SerializationCache serialized;
    private readonly int maxHeld;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private List<SerializedHubMessage>? held = [];
    private volatile bool live;
    private long highWater;
    private int slow;
    private int started;
    private Watermark? watermark;
    private string? checkpointMethod;
    private long lastCheckpoint;
    private readonly OwnEchoes echoes = new();

    public DeliveryConnection(HubConnectionContext connection, Outbox queue, IChatMessageIds ids, SerializationCache serialized, int maxHeld, Checkpoints checkpoints, ChatterMetrics metrics, ILoggerFactory loggers, ILogger logger)
        : base(new ConnectionView(connection), BaseOptions, loggers)
    {
        this.connection = connection;
        this.queue = queue;
        this.ids = ids;
        this.metrics = metrics;
        this.checkpoints = checkpoints;
        this.serialized = serialized;
        this.maxHeld = maxHeld;
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

    public bool IsSlowConsumer => Volatile.Read(ref slow) == 1 || queue.IsRefused;

    public bool IsLive => live;

    public async Task<bool> ReplayThenGoLiveAsync(LiveStart start, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            return false;
        }

        foreach (var message in start.Replay)
        {
            await queue.WaitForRoomAsync(cancellationToken);
            // The replay is this connection's alone, so it is serialized for it alone.
            Enqueue(new SerializedHubMessage(new InvocationMessage(start.Method, [message])));
        }

        foreach (var after in start.AfterReplay ?? [])
        {
            Enqueue(new SerializedHubMessage(after));
        }

        lock (gate)
        {
            highWater = start.HighWater;
            if (start.CheckpointMethod is { } method)
            {
                watermark = new Watermark(start.HighWater);
                checkpointMethod = method;
                lastCheckpoint = start.HighWater;
            }

            foreach (var message in held!)
            {
                if (ids.PrivateIdOf(message) is { } unseen)
                {
                    if (!unseen.Includes(UserIdentifier))
                    {
                        watermark?.Seen(unseen.Id);
                    }
                }
                else if (!IsHistory(message) && !echoes.TryTake(ids.IdOf(message)) && Enqueue(message))
                {
                    watermark?.Seen(ids.IdOf(message));
                }
            }

            held = null;
            live = true;
        }

        if (watermark is not null)
        {
            checkpoints.Add(this);
        }

        return true;
    }

    public void Sent(long id)
    {
        if (watermark is not null)
        {
            lock (gate)
            {
                watermark.Seen(id);
            }
        }
    }

    /// <summary>
    /// The connection's client stored direct message <paramref name="id"/>: its copy to the user's connections (every
    /// one, this one included, on every node) is dropped here when it comes back.
    /// </summary>
    public void SentDirect(long id) => echoes.Expect(id);

    /// <summary>Queues a checkpoint when the connection's moved since the last one; false when it did not.</summary>
    internal bool SendCheckpoint()
    {
        lock (gate)
        {
            if (watermark is not { } mark || mark.UpTo <= lastCheckpoint)
            {
                return false;
            }

            lastCheckpoint = mark.UpTo;
            Enqueue(new SerializedHubMessage(new InvocationMessage(checkpointMethod!, [mark.UpTo])));
            return true;
        }
    }

    /// <summary>The connection is gone: no more checkpoints.</summary>
    internal void Ended() => checkpoints.Remove(this);

    public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
    {
        if (!live)
        {
            lock (gate)
            {
                if (held is not null)
                {
                    if (held.Count >= maxHeld)
                    {
                        CloseSlowConsumer();
                    }
                    else
                    {
                        held.Add(message);
                    }

                    return default;
                }
            }
        }

        var id = ids.IdOf(message);
        if (id == 0 && ids.PrivateIdOf(message) is { } unseen)
        {
            // A direct message between two others: never written, only counted.
            SeenElsewhere(unseen);
            return default;
        }

        if ((id > 0 && (id <= highWater || echoes.TryTake(id))) || (queue.Count >= DroppableBacklog && ids.IsDroppable(message)))
        {
            // History, or a typing notice for a reader that is behind: it would only wait behind messages that matter more.
            return default;
        }

        if (watermark is null)
        {
            if (Enqueue(message))
            {
                metrics.MessageDelivered();
            }

            return default;
        }

        // A checkpoint is queued under the same lock, so it follows every message it counts.
        lock (gate)
        {
            if (Enqueue(message))
            {
                metrics.MessageDelivered();
                watermark.Seen(id);
            }
        }

        return default;
    }

    public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default)
    {
        // A message to this connection alone (never a chat message): in order, never held.
        Enqueue(new SerializedHubMessage(message));
        return default;
    }

    public void Refuse(string reason)
    {
        // Sent after what is queued; the connection's writer loop ends the connection once it is written.
        Enqueue(new SerializedHubMessage(new CloseMessage(reason, allowReconnect: false)));
        queue.Complete();
    }

    public override void Abort() => connection.Abort();

    /// <summary>Counts a direct message this connection's user is not one of the two of as seen.</summary>
    private void SeenElsewhere(PrivateId unseen)
    {
        if (watermark is not null && !unseen.Includes(UserIdentifier))
        {
            lock (gate)
            {
                watermark.Seen(unseen.Id);
            }
        }
    }

    private bool IsHistory(SerializedHubMessage message) => ids.IdOf(message) is var id && id > 0 && id <= highWater;

    private bool Enqueue(SerializedHubMessage message)
    {
        var result = queue.TryEnqueue(new Outbound(message, serialized.BytesOf(message, connection.Protocol)));
        if (result == EnqueueResult.Full)
        {
            CloseSlowConsumer();
        }

        return result == EnqueueResult.Queued;
    }

    private void CloseSlowConsumer()
    {
        if (Interlocked.Exchange(ref slow, 1) != 0)
        {
            return;
        }

        Log.SlowConsumer(logger, UserIdentifier, ConnectionId, queue.Count);

        connection.Abort();
        // The hub's abort alone waits for the writes the client never takes; the transport must end too.
        connection.Features.Get<IConnectionLifetimeFeature>()?.Abort();
    }
}
