using System.Net.Http.Json;
using System.Text;
using Chatter.Bench.Measurement;
using Chatter.Protocol;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Bench.Clients;

/// <summary>
/// A SignalR client of <c>/hubs/chat</c>: a token from <c>POST /api/token</c>, WebSockets without negotiation,
/// <c>ReceiveMessage</c> counted into the tracker, <c>SendMessage</c> sent (no ack) or invoked (its return is the ack).
/// Received messages are read into <see cref="ReceivedText"/>, only the field the bench needs.
/// </summary>
internal sealed class HubBenchClient : IBenchClient
{
    private readonly HubConnection connection;
    private readonly byte[] run;
    private long errors;

    private HubBenchClient(int index, HubConnection connection, DeliveryTracker tracker, byte[] run)
    {
        Index = index;
        this.connection = connection;
        Tracker = tracker;
        this.run = run;
    }

    public int Index { get; }

    public string Transport => "signalr";

    public DeliveryTracker Tracker { get; }

    public Action<long>? Acknowledged { get; set; }

    public long Errors => Volatile.Read(ref errors);

    public string? FirstError { get; private set; }

    /// <summary>Gets a token, connects and starts; returns once the hub accepted the connection.</summary>
    public static async Task<HubBenchClient> ConnectAsync(
        BenchTarget target, HttpClient http, int index, KeyValuePair<string, string> user, DeliveryTracker tracker, string run, long? since, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(target, http, user, cancellationToken);
        var url = since is null ? target.HubUri : new Uri($"{target.HubUri}?since={since}");
        var connection = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, HubBenchJsonContext.Default))
            .Build();
        var client = new HubBenchClient(index, connection, tracker, Encoding.ASCII.GetBytes(run));
        connection.On<ReceivedText>("ReceiveMessage", client.OnMessage);
        try
        {
            await connection.StartAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>A bearer token for <paramref name="user"/>.</summary>
    public static async Task<string> GetTokenAsync(BenchTarget target, HttpClient http, KeyValuePair<string, string> user, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(target.TokenUri, new TokenRequest(user.Key, user.Value), ProtocolJsonContext.Default.TokenRequest, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"token for {user.Key} refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var body = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, cancellationToken);
        return body?.Token ?? throw new BenchException($"token for {user.Key}: empty answer");
    }

    public ValueTask SendAsync(string thread, string text, CancellationToken cancellationToken)
        => new(connection.SendAsync("SendMessage", thread, text, cancellationToken));

    public ValueTask SendWithAckAsync(string thread, string text, long reference, CancellationToken cancellationToken)
    {
        // The invocation's completion is the ack; the sender goes on without waiting for it (its window bounds it).
        _ = AwaitAckAsync(connection.InvokeAsync<ReceivedText>("SendMessage", thread, text, cancellationToken), reference);
        return ValueTask.CompletedTask;
    }

    public Task CloseAsync(CancellationToken cancellationToken) => connection.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    private void OnMessage(ReceivedText message) => Tracker.Record(message.Message ?? "", run);

    private async Task AwaitAckAsync(Task<ReceivedText> invocation, long reference)
    {
        try
        {
            await invocation;
        }
        catch (Exception ex)
        {
            // A refused or failed invocation still frees its place in the window; the error is counted and shown.
            Interlocked.Increment(ref errors);
            FirstError ??= ex.Message;
        }

        Acknowledged?.Invoke(reference);
    }
}
