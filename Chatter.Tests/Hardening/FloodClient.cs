using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chatter.Tests.Hardening;

/// <summary>
/// A raw <c>/ws/chat</c> client for floods of thousands of messages: it sends its own with at most
/// <c>window</c> unacknowledged, and checks what it receives as it goes (every message of the others once and
/// in each sender's order, none of its own, its acks in order) without keeping the frames. Messages are
/// <c>"{senderIndex}:{sequence}:{padding}"</c> from user <c>{prefix}{senderIndex}</c>.
/// </summary>
internal sealed class FloodClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket;
    private readonly int index;
    private readonly List<string> failures = [];

    private FloodClient(ClientWebSocket socket, int index)
    {
        this.socket = socket;
        this.index = index;
    }

    /// <summary>Messages of the others received so far.</summary>
    public int Received { get; private set; }

    /// <summary>Acks of its own messages received so far.</summary>
    public int Acked { get; private set; }

    /// <summary>What went wrong, the first few only.</summary>
    public IReadOnlyList<string> Failures => failures;

    /// <summary>Connects and logs in as <paramref name="user"/>; the <c>{"auth": "ok"}</c> is read.</summary>
    public static async Task<FloodClient> LoginAsync(Uri wsUri, int index, string user, string password, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(wsUri, cancellationToken);
            var login = JsonSerializer.SerializeToUtf8Bytes(new { username = user, password });
            await socket.SendAsync(login, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            var buffer = new byte[256];
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            var reply = Encoding.UTF8.GetString(buffer, 0, result.Count);
            Assert.That(reply, Is.EqualTo("{\"auth\": \"ok\"}"), $"login of {user}");
            return new FloodClient(socket, index);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> messages on <paramref name="thread"/> (at most <paramref name="window"/> unacknowledged)
    /// and returns once it has every ack and <paramref name="expectedFromOthers"/> messages of the <paramref name="senders"/> others.
    /// </summary>
    public async Task RunAsync(string thread, int count, string padding, int window, int senders, int expectedFromOthers, CancellationToken cancellationToken)
    {
        using var credit = new SemaphoreSlim(window, window);
        var receiving = ReceiveAsync(credit, count, senders, expectedFromOthers, cancellationToken);
        for (var n = 0; n < count && !receiving.IsCompleted; n++)
        {
            await credit.WaitAsync(cancellationToken);
            var frame = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"thread\":\"{thread}\",\"message\":\"{index}:{n}:{padding}\",\"ref\":\"{n}\"}}"));
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }

        await receiving;
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone: disposing is all that is left.
            }
        }

        socket.Dispose();
    }

    private async Task ReceiveAsync(SemaphoreSlim credit, int count, int senders, int expectedFromOthers, CancellationToken cancellationToken)
    {
        var next = new int[senders];
        var buffer = new byte[16 * 1024];
        while (Acked < count || Received < expectedFromOthers)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                Fail($"closed by the server ({socket.CloseStatus} {socket.CloseStatusDescription}) after {Received} messages and {Acked} acks");
                throw new InvalidOperationException(failures[^1]);
            }

            Take(buffer.AsSpan(0, length), next, credit);
        }
    }

    private void Take(ReadOnlySpan<byte> frame, int[] next, SemaphoreSlim credit)
    {
        string? ack = null, message = null;
        var reader = new Utf8JsonReader(frame);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "ack":
                    ack = reader.GetString();
                    break;
                case "message":
                    message = reader.GetString();
                    break;
                case "error":
                    // Counted as the answer to one of its frames, so the run ends and reports it.
                    Fail($"error frame {Encoding.UTF8.GetString(frame)}");
                    Acked++;
                    credit.Release();
                    return;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (ack is not null)
        {
            if (ack != Acked.ToString(CultureInfo.InvariantCulture))
            {
                Fail($"ack {ack} where {Acked} was next");
            }

            Acked++;
            credit.Release();
            return;
        }

        var parts = message?.Split(':', 3);
        if (parts is not [var senderText, var sequenceText, _]
            || !int.TryParse(senderText, CultureInfo.InvariantCulture, out var sender) || sender < 0 || sender >= next.Length
            || !int.TryParse(sequenceText, CultureInfo.InvariantCulture, out var sequence))
        {
            Fail($"unexpected frame {Encoding.UTF8.GetString(frame)}");
            return;
        }

        if (sender == index)
        {
            Fail($"own message {sequence} came back");
        }
        else if (sequence != next[sender])
        {
            Fail($"from {sender}: {sequence} where {next[sender]} was next");
        }

        next[sender] = sequence + 1;
        Received++;
    }

    private void Fail(string failure)
    {
        if (failures.Count < 5)
        {
            failures.Add($"client {index}: {failure}");
        }
    }
}
