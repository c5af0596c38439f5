using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Chatter.Protocol;

namespace Chatter.Bench.Clients;

/// <summary>
/// The <c>logins</c> scenario's raw client: one TCP connection, the WebSocket upgrade written by hand, the login frame,
/// <c>{"auth": "ok"}</c>, a close frame and the server's close. <see cref="System.Net.WebSockets.ClientWebSocket"/> costs
/// the bench about twice the CPU the baseline server spends on a login, so the figure would be the client's; this costs
/// a fraction. It speaks only what a login needs (short unfragmented frames); the mask key is zero, which RFC 6455
/// allows a server to accept and which saves the bench the XOR (there is no proxy cache to poison on loopback).
/// </summary>
internal static class LeanRawLogin
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private static readonly byte[] Key = Encoding.ASCII.GetBytes(Convert.ToBase64String("chatter-bench-01"u8));

    /// <summary>Connects, logs in and closes; throws <see cref="BenchException"/> when the server does not answer <c>{"auth": "ok"}</c>.</summary>
    public static async Task LoginAsync(BenchTarget target, KeyValuePair<string, string> user, long since, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        EndPoint endpoint = IPAddress.TryParse(target.WsUri.Host, out var address)
            ? new IPEndPoint(address, target.WsUri.Port)
            : new DnsEndPoint(target.WsUri.Host, target.WsUri.Port);
        await socket.ConnectAsync(endpoint, cancellationToken);

        var buffer = new byte[1024];
        var request = Encoding.ASCII.GetBytes(
            $"GET {target.WsUri.PathAndQuery} HTTP/1.1\r\nHost: {target.WsUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
        var length = Append(buffer, 0, request);
        length = Append(buffer, length, Key);
        length = Append(buffer, length, "\r\n\r\n"u8);
        await socket.SendAsync(buffer.AsMemory(0, length), cancellationToken);

        // The 101 response, then whatever frames came with it.
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var received = await ReceiveSomeAsync(socket, buffer, filled, cancellationToken);
            filled += received > 0 ? received : throw new BenchException($"upgrade of {user.Key}: the server closed the connection");
        }

        if (!buffer.AsSpan().StartsWith("HTTP/1.1 101"u8))
        {
            throw new BenchException($"upgrade of {user.Key} refused: {Encoding.ASCII.GetString(buffer, 0, headerEnd)}");
        }

        var login = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["username"] = user.Key, ["password"] = user.Value, ["since"] = since });
        await SendFrameAsync(socket, 0x81, login, cancellationToken);

        var pending = filled - (headerEnd + 4);
        buffer.AsSpan(headerEnd + 4, pending).CopyTo(buffer);
        var (opcode, payload, used, buffered) = await ReceiveFrameAsync(socket, buffer, pending, cancellationToken);
        if (opcode != 0x1 || !buffer.AsSpan(payload.Start, payload.Length).SequenceEqual(FrameWriter.AuthOk.Span))
        {
            throw new BenchException($"raw login of {user.Key} refused: opcode {opcode}, {Encoding.UTF8.GetString(buffer, payload.Start, payload.Length)}");
        }

        Span<byte> status = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(status, 1000);
        await SendFrameAsync(socket, 0x88, status.ToArray(), cancellationToken);

        // Read on until the server closes the TCP connection after its close frame: the server closes first, so the
        // TIME_WAIT stays on its side and thousands of logins do not use up the bench's ephemeral ports.
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        closing.CancelAfter(CloseTimeout);
        while (opcode != -1)
        {
            buffered -= used;
            buffer.AsSpan(used, buffered).CopyTo(buffer);
            (opcode, _, used, buffered) = await ReceiveFrameAsync(socket, buffer, buffered, closing.Token);
        }
    }

    private static async Task SendFrameAsync(Socket socket, byte first, byte[] payload, CancellationToken cancellationToken)
    {
        // Client frames are masked (0x80 in the length byte); with a zero key the payload goes as it is.
        var frame = new byte[payload.Length + 8];
        frame[0] = first;
        int header;
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length);
            header = 2;
        }
        else
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
            header = 4;
        }

        payload.CopyTo(frame, header + 4);
        await socket.SendAsync(frame.AsMemory(0, header + 4 + payload.Length), cancellationToken);
    }

    /// <summary>
    /// One whole frame at the start of <paramref name="buffer"/> (<paramref name="filled"/> bytes there already): its
    /// opcode (−1 at end of stream), payload, the bytes it used and the bytes now in the buffer.
    /// </summary>
    private static async Task<(int Opcode, (int Start, int Length) Payload, int Used, int Filled)> ReceiveFrameAsync(Socket socket, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (filled >= 2)
            {
                var length = buffer[1] & 0x7F;
                var header = 2;
                if (length == 126 && filled >= 4)
                {
                    length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
                    header = 4;
                }
                else if (length >= 126)
                {
                    length = length == 127 ? throw new BenchException("a frame too large for a login") : int.MaxValue;
                }

                if (length != int.MaxValue && header + length > buffer.Length)
                {
                    throw new BenchException("a frame too large for a login");
                }

                if (length != int.MaxValue && filled >= header + length)
                {
                    return (buffer[0] & 0x0F, (header, length), header + length, filled);
                }
            }

            var received = await ReceiveSomeAsync(socket, buffer, filled, cancellationToken);
            if (received == 0)
            {
                return (-1, (0, 0), 0, filled);
            }

            filled += received;
        }
    }

    private static async Task<int> ReceiveSomeAsync(Socket socket, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        if (filled == buffer.Length)
        {
            throw new BenchException("an answer too large for a login");
        }

        return await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
    }

    private static int Append(byte[] buffer, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.AsSpan(at));
        return at + bytes.Length;
    }
}
