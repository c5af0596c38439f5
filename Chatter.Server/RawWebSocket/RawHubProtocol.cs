using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Chatter.Protocol;
using Chatter.Protocol.Frames;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The <c>chatter-raw</c> hub protocol: maps the original protocol's JSON frames to hub invocations and the
/// hub's messages back to frames, so a <c>/ws/chat</c> client is an ordinary hub connection.
/// <para>
/// Inbound, <see cref="RawSocketPump"/> writes each WebSocket message as <c>[kind:1][length:4, little endian][payload]</c>,
/// so any bytes a client sends stay inside one frame. Outbound, each frame is JSON followed by the 0x1E
/// record separator, which escaped JSON never contains.
/// </para>
/// <para>
/// Every frame becomes an invocation with an id, so the hub's answer always comes back as a completion:
/// <c>#ref</c> when the frame had a string <c>ref</c> (the completion is the ack, or the error with the ref),
/// <c>!</c> otherwise (success writes nothing; an error is the <c>{"error"}</c> frame). Chat frames that are already
/// waiting together become one <see cref="ChatHub.SendFrames"/> call (see <see cref="RawFrameBatch"/>), whose single
/// completion is written back as the same answers, one per frame, in order.
/// </para>
/// </summary>
public sealed class RawHubProtocol : IHubProtocol
{
    /// <summary>The protocol name in the in-process handshake.</summary>
    public const string ProtocolName = "chatter-raw";

    /// <summary>The 0x1E byte that ends each outbound frame.</summary>
    public const byte RecordSeparator = 0x1E;

    /// <summary>The inbound frame header: one kind byte and a four-byte length.</summary>
    public const int HeaderLength = 5;

    /// <summary>Inbound frame kinds.</summary>
    public const byte TextFrame = 0, BinaryFrame = 1;

    private const string NoReference = "!";
    private const char ReferencePrefix = '#';
    private const string HubExceptionMarker = "HubException: ";

    public string Name => ProtocolName;

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Text;

    public bool IsVersionSupported(int version) => version == Version;

    /// <summary>Writes one inbound frame as <see cref="TryParseMessage"/> reads it.</summary>
    public static void WriteInboundFrame(byte kind, ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(HeaderLength + payload.Length);
        span[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], payload.Length);
        payload.CopyTo(span[HeaderLength..]);
        output.Advance(HeaderLength + payload.Length);
    }

    /// <summary>
    /// Reads one frame as one invocation, or, when further chat frames are already waiting, up to
    /// <see cref="RawFrameBatch.MaxFrames"/> of them as one <see cref="ChatHub.SendFrames"/> call, so the store commits
    /// them together. A presence request is never batched: it stays a call of its own, in its place.
    /// </summary>
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        message = null;
        if (!TryReadFrame(input, out var first, out var rest))
        {
            return false;
        }

        input = rest;
        if (first.IsPresenceRequest || !TryReadFrame(input, out var second, out rest) || second.IsPresenceRequest)
        {
            message = Invocation(first);
            return true;
        }

        input = rest;
        var frames = new List<BatchedFrame>(8) { ToBatchedFrame(first), ToBatchedFrame(second) };
        while (frames.Count < RawFrameBatch.MaxFrames && TryReadFrame(input, out var next, out rest) && !next.IsPresenceRequest)
        {
            frames.Add(ToBatchedFrame(next));
            input = rest;
        }

        var batch = frames.ToArray();
        message = new InvocationMessage(RawFrameBatch.InvocationId(batch), nameof(ChatHub.SendFrames), [new RawFrameBatch(batch)]);
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        switch (message)
        {
            case InvocationMessage { Target: nameof(IChatClient.ReceiveMessage), Arguments: [ChatMessage chat] }:
                FrameWriter.WriteMessage(chat, output);
                break;
            case InvocationMessage { Target: nameof(IChatClient.UserJoined), Arguments: [string user] }:
                FrameWriter.WritePresence("joined", user, output);
                break;
            case InvocationMessage { Target: nameof(IChatClient.UserLeft), Arguments: [string user] }:
                FrameWriter.WritePresence("left", user, output);
                break;
            case CompletionMessage completion when RawFrameBatch.IsBatchId(completion.InvocationId):
                WriteBatchAnswers(completion, output);
                return;
            case CompletionMessage completion when Reference(completion.InvocationId) is var reference && completion.Error is not null:
                FrameWriter.WriteError(ReasonOf(completion.Error), reference, output);
                break;
            case CompletionMessage { Result: ChatMessage stored } completion when Reference(completion.InvocationId) is { } reference:
                FrameWriter.WriteAck(reference, stored, output);
                break;
            default:
                // Pings, closes, acks without a ref and other SignalR-only messages have no raw form.
                return;
        }

        EndFrame(output);
    }

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        // SignalR asks every connection for its ping's bytes at the handshake and keeps them for the connection's life:
        // a ping has no raw form, and an empty slice of a fresh buffer would keep 280 bytes per connection.
        if (message is PingMessage)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        WriteMessage(message, buffer);
        return buffer.WrittenMemory;
    }

    /// <summary>The <c>id</c> of a chat message as this protocol wrote it (JSON and the separator); false for other frames.</summary>
    public static bool TryReadMessageId(ReadOnlySpan<byte> frame, out long id)
    {
        id = 0;
        if (frame.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(frame[..^1]);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TryGetInt64(out id);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    /// <summary>Reads the next whole inbound frame of <paramref name="input"/>, if there is one, and what follows it.</summary>
    private static bool TryReadFrame(ReadOnlySequence<byte> input, out ChatFrameResult frame, out ReadOnlySequence<byte> rest)
    {
        frame = default;
        rest = input;
        if (input.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        input.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (input.Length < HeaderLength + length)
        {
            return false;
        }

        var payload = input.Slice(HeaderLength, length);
        frame = header[0] != TextFrame ? ChatFrameResult.Refused(FrameError.BinaryFrame, null)
            : payload.IsSingleSegment ? FrameReader.ReadChat(payload.FirstSpan)
            : FrameReader.ReadChat(payload.ToArray());
        rest = input.Slice(payload.End);
        return true;
    }

    private static InvocationMessage Invocation(ChatFrameResult result)
    {
        if (result.IsPresenceRequest)
        {
            return new InvocationMessage(InvocationId(result.Ref), nameof(ChatHub.SubscribePresence), []);
        }

        if (result.Frame is not { } frame)
        {
            return Reject(result.Error!, result.Ref);
        }

        return new InvocationMessage(InvocationId(frame.Ref), nameof(ChatHub.SendMessage), [frame.Thread, frame.Message]);
    }

    private static BatchedFrame ToBatchedFrame(ChatFrameResult result)
        => result.Frame is { } frame ? new BatchedFrame(frame.Thread, frame.Message, frame.Ref, null) : new BatchedFrame(null, null, result.Ref, result.Error);

    /// <summary>
    /// A batch's answers, one per frame in order, as each frame alone would have had them: the ack or nothing on
    /// success, the error otherwise. When the whole call failed, every frame gets its error.
    /// </summary>
    private static void WriteBatchAnswers(CompletionMessage completion, IBufferWriter<byte> output)
    {
        var references = RawFrameBatch.ReferencesOf(completion.InvocationId!);
        var outcomes = completion.Result as RawFrameOutcome[];
        var failed = new RawFrameOutcome(null, completion.Error is { } error ? ReasonOf(error) : "server error");
        for (var i = 0; i < references.Count; i++)
        {
            var outcome = outcomes is not null && i < outcomes.Length ? outcomes[i] : failed;
            if (outcome.Error is not null)
            {
                FrameWriter.WriteError(outcome.Error, references[i], output);
            }
            else if (references[i] is { } reference && outcome.Stored is { } stored)
            {
                FrameWriter.WriteAck(reference, stored, output);
            }
            else
            {
                continue;
            }

            EndFrame(output);
        }
    }

    private static void EndFrame(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = RecordSeparator;
        output.Advance(1);
    }

    private static InvocationMessage Reject(string reason, string? reference)
        => new(InvocationId(reference), nameof(ChatHub.RejectFrame), [reason]);

    private static string InvocationId(string? reference) => reference is null ? NoReference : ReferencePrefix + reference;

    private static string? Reference(string? invocationId)
        => invocationId is [ReferencePrefix, ..] ? invocationId[1..] : null;

    /// <summary>
    /// SignalR sends a <see cref="HubException"/> as "An unexpected error occurred invoking 'X' on the server.
    /// HubException: reason": the reason is what the hub meant. Any other failure is the server's own.
    /// </summary>
    private static string ReasonOf(string error)
    {
        var at = error.LastIndexOf(HubExceptionMarker, StringComparison.Ordinal);
        return at < 0 ? "server error" : error[(at + HubExceptionMarker.Length)..];
    }
}
