using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Infrastructure;

/// <summary>A hub client's presence events as text, <c>joined NAME</c> / <c>left NAME</c>, in the order they came.</summary>
public sealed class PresenceEvents
{
    private readonly Channel<string> events = Channel.CreateUnbounded<string>();

    private PresenceEvents()
    {
    }

    /// <summary>Starts recording <paramref name="client"/>'s <c>UserJoined</c> and <c>UserLeft</c> (before it subscribes).</summary>
    public static PresenceEvents Of(HubChatClient client)
    {
        var recorder = new PresenceEvents();
        client.Connection.On<string>("UserJoined", user => recorder.events.Writer.TryWrite($"joined {user}"));
        client.Connection.On<string>("UserLeft", user => recorder.events.Writer.TryWrite($"left {user}"));
        return recorder;
    }

    /// <summary>The next event, or a <see cref="TimeoutException"/> after <paramref name="timeout"/> (default <see cref="RawChatClient.DefaultTimeout"/>).</summary>
    public async Task<string> NextAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
        => await events.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout ?? RawChatClient.DefaultTimeout, cancellationToken);
}
