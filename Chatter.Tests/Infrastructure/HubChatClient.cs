using System.Threading.Channels;
using Chatter.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chatter.Tests.Infrastructure;

/// <summary>A real SignalR client of <c>/hubs/chat</c>; every <c>ReceiveMessage</c> goes into a channel.</summary>
public sealed class HubChatClient : IAsyncDisposable
{
    private readonly Channel<ChatMessage> received = Channel.CreateUnbounded<ChatMessage>();

    private HubChatClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<ChatMessage>("ReceiveMessage", message => received.Writer.TryWrite(message));
    }

    public HubConnection Connection { get; }

    /// <summary>A connection to <paramref name="hubUri"/>; <paramref name="statefulReconnect"/> builds it <c>WithStatefulReconnect()</c>.</summary>
    public static HubConnection Build(Uri hubUri, string? token, long? since = null, bool statefulReconnect = false)
    {
        var uri = since is null ? hubUri : new Uri($"{hubUri}?since={since}");
        var builder = new HubConnectionBuilder()
            .WithUrl(uri, options =>
            {
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            });
        return (statefulReconnect ? builder.WithStatefulReconnect() : builder).Build();
    }

    public static Task<HubChatClient> ConnectAsync(Uri hubUri, string token, long? since = null, CancellationToken cancellationToken = default)
        => StartAsync(Build(hubUri, token, since), cancellationToken);

    /// <summary>A started client built <c>WithStatefulReconnect()</c>: it resumes the same connection when its socket drops.</summary>
    public static Task<HubChatClient> ConnectStatefulAsync(Uri hubUri, string token, CancellationToken cancellationToken = default)
        => StartAsync(Build(hubUri, token, statefulReconnect: true), cancellationToken);

    private static async Task<HubChatClient> StartAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        var client = new HubChatClient(connection);
        await client.Connection.StartAsync(cancellationToken);
        return client;
    }

    public Task<ChatMessage> SendAsync(string thread, string? message, CancellationToken cancellationToken = default)
        => Connection.InvokeAsync<ChatMessage>("SendMessage", thread, message, cancellationToken);

    public Task<ChatMessage[]> GetHistoryAsync(string? thread, long? beforeId, int limit, CancellationToken cancellationToken = default)
        => Connection.InvokeAsync<ChatMessage[]>("GetHistory", thread, beforeId, limit, cancellationToken);

    /// <summary>The next received message, or a <see cref="TimeoutException"/>.</summary>
    public async Task<ChatMessage> ReceiveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => await received.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout ?? RawChatClient.DefaultTimeout, cancellationToken);

    public bool HasNoPendingMessage => !received.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
