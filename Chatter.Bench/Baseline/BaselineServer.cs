using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chatter.Bench.Baseline;

/// <summary>
/// The reference for what this stack can do on this machine: Kestrel and raw WebSockets speaking Chatter's
/// <c>/ws/chat</c> protocol and nothing more. Login frame → <c>{"auth": "ok"}</c> (Chatter's exact bytes); each chat
/// frame validated with Chatter's own rules, given an id and a timestamp, serialized once and queued to every other
/// connection's bounded channel (a full channel closes that connection as a slow consumer); <c>"ref"</c> gets an ack.
/// No history, no SignalR, no logging per message.
/// </summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    /// <summary>Messages queued to one connection before it is dropped as a slow consumer (Chatter's default too).</summary>
    public const int OutboundCapacity = 8192;

    private const int MaxFrameBytes = 64 * 1024;

    private readonly WebApplication app;
    private readonly Dictionary<string, byte[]> users;
    private readonly Lock membersLock = new();
    private BaselineConnection[] members = [];
    private long nextId;

    private BaselineServer(WebApplication app, IReadOnlyDictionary<string, string> users)
    {
        this.app = app;
        this.users = users.ToDictionary(u => u.Key, u => Encoding.UTF8.GetBytes(u.Value), StringComparer.Ordinal);
    }

    /// <summary>Where raw clients connect: <c>ws://HOST:PORT/ws/chat</c>.</summary>
    public Uri WsUri { get; private set; } = null!;

    /// <summary>Starts on <paramref name="address"/>:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<BaselineServer> StartAsync(IPAddress address, int port, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        var app = builder.Build();
        var server = new BaselineServer(app, users);
        app.UseWebSockets();
        app.Map("/ws/chat", server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.WsUri = new Uri($"ws://{bound.Authority}/ws/chat");
        return server;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var login = await ReadMessageAsync(socket);
        LoginFrame? frame = null;
        var valid = login is not null && FrameReader.TryReadLogin(login.Value.AsSpan(), out frame) && Verify(frame!.Username, frame.Password);
        Return(login);
        if (!valid)
        {
            await socket.SendAsync(FrameWriter.InvalidCredentials, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "invalid credentials", CancellationToken.None);
            return;
        }

        await socket.SendAsync(FrameWriter.AuthOk, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var connection = new BaselineConnection(socket, frame!.Username, OutboundCapacity);
        Join(connection);
        var sending = connection.SendLoopAsync();
        try
        {
            while (await ReadMessageAsync(socket) is { } message)
            {
                OnFrame(connection, message.AsSpan());
                Return(message);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away without a close frame.
        }
        finally
        {
            Leave(connection);
            connection.Complete();
        }

        await sending;
    }

    private void OnFrame(BaselineConnection sender, ReadOnlySpan<byte> frame)
    {
        var read = FrameReader.ReadChat(frame);
        var error = read.Error ?? ChatRules.Validate(read.Frame?.Thread, read.Frame?.Message, ChatRules.DefaultMaxMessageChars);
        var output = new ArrayBufferWriter<byte>(256);
        if (error is not null)
        {
            FrameWriter.WriteError(error, read.Ref, output);
            sender.Enqueue(output.WrittenMemory);
            return;
        }

        var message = new ChatMessage(read.Frame!.Thread, read.Frame.Message, sender.User, Interlocked.Increment(ref nextId), UtcTimestampConverter.Truncate(DateTimeOffset.UtcNow));
        FrameWriter.WriteMessage(message, output);
        var bytes = output.WrittenMemory;
        foreach (var member in Volatile.Read(ref members))
        {
            if (!ReferenceEquals(member, sender))
            {
                member.Enqueue(bytes);
            }
        }

        if (read.Ref is { } reference)
        {
            var ack = new ArrayBufferWriter<byte>(64);
            FrameWriter.WriteAck(reference, message, ack);
            sender.Enqueue(ack.WrittenMemory);
        }
    }

    private bool Verify(string user, string password)
        => users.TryGetValue(user, out var expected) && CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(password));

    private void Join(BaselineConnection connection)
    {
        lock (membersLock)
        {
            members = [.. members, connection];
        }
    }

    private void Leave(BaselineConnection connection)
    {
        lock (membersLock)
        {
            members = members.Where(m => !ReferenceEquals(m, connection)).ToArray();
        }
    }

    /// <summary>
    /// Waits for a message without holding a buffer (a zero-byte read: an idle connection holds none), then reads it
    /// whole into an array from the shared pool; null on close or a message over 64 KiB. The caller returns the array.
    /// </summary>
    private static async Task<ArraySegment<byte>?> ReadMessageAsync(WebSocket socket)
    {
        var peek = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        if (peek.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan().CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            filled += result.Count;
            if (filled > MaxFrameBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None);
                return null;
            }

            if (result.EndOfMessage)
            {
                return new ArraySegment<byte>(buffer, 0, filled);
            }
        }
    }

    private static void Return(ArraySegment<byte>? message)
    {
        if (message is { Array: { } array })
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
