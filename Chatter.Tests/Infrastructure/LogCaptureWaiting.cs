using Serilog.Events;

namespace Chatter.Tests.Infrastructure;

/// <summary>Awaiting a log event: signalled from <see cref="Emit"/>, bounded by a timeout, never a poll with sleeps.</summary>
public sealed partial class LogCapture
{
    private readonly Lock waitersGate = new();
    private readonly List<Waiter> waiters = [];

    /// <summary>The first event (already captured or still to come) that matches <paramref name="predicate"/>, or a <see cref="TimeoutException"/>.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var waiter = new Waiter(predicate, new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (waitersGate)
        {
            waiters.Add(waiter);
        }

        try
        {
            // Registered first, then the events so far: an event emitted in between is seen by one or the other.
            if (events.FirstOrDefault(predicate) is { } earlier)
            {
                waiter.Found.TrySetResult(earlier);
            }

            return await waiter.Found.Task.WaitAsync(timeout ?? RawChatClient.DefaultTimeout, cancellationToken);
        }
        finally
        {
            lock (waitersGate)
            {
                waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first event with id <paramref name="eventId"/> that also matches <paramref name="predicate"/>.</summary>
    public Task<LogEvent> WaitForEventAsync(int eventId, Func<LogEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => WaitForAsync(e => EventIdOf(e) == eventId && (predicate is null || predicate(e)), timeout, cancellationToken);

    /// <summary>The event's <c>EventId.Id</c>, or null when it has none.</summary>
    public static int? EventIdOf(LogEvent e)
        => e.Properties.TryGetValue("EventId", out var id) && id is StructureValue s
            && s.Properties.FirstOrDefault(p => p.Name == "Id")?.Value is ScalarValue { Value: int v }
            ? v
            : null;

    private void SignalWaiters(LogEvent logEvent)
    {
        lock (waitersGate)
        {
            foreach (var waiter in waiters)
            {
                if (!waiter.Found.Task.IsCompleted && waiter.Predicate(logEvent))
                {
                    waiter.Found.TrySetResult(logEvent);
                }
            }
        }
    }

    private sealed record Waiter(Func<LogEvent, bool> Predicate, TaskCompletionSource<LogEvent> Found);
}
