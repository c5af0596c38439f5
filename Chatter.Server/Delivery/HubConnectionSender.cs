using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Delivery;

/// <summary>
/// The writer loop of a SignalR connection: takes its queue's messages in order and writes each to the connection
/// (SignalR's own transport then sends them). Started when the connection is listed, awaited when it is unlisted.
/// </summary>
internal sealed class HubConnectionSender(Outbox queue, HubConnectionContext connection, IDisposable watch)
{
    private Task loop = Task.CompletedTask;

    public void Start() => loop = RunAsync();

    /// <summary>Ends the loop: what waits is dropped (the connection is gone), the send in progress ends with the connection.</summary>
    public async Task StopAsync()
    {
        queue.Discard();
        await loop;
        watch.Dispose();
    }

    private async Task RunAsync()
    {
        while (await queue.WaitToReadAsync())
        {
            while (queue.TryRead(out var item))
            {
                // HubConnectionContext.WriteAsync reports a failed write by aborting the connection, never by throwing.
                var write = connection.WriteAsync(item.Message!, CancellationToken.None);
                if (!write.IsCompletedSuccessfully)
                {
                    queue.SendStarted();
                    await write;
                }

                queue.Sent(item);
            }
        }

        // The queue completes before the connection ends only when the connection was refused (IDelivery.Refuse): the
        // close is written, now the connection ends, whatever the client does.
        if (!connection.ConnectionAborted.IsCancellationRequested)
        {
            connection.Abort();
        }
    }
}
