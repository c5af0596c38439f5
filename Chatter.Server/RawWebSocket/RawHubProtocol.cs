using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Chatter.Protocol;
using Chatter.Server.Delivery;
using Chatter.Server.Hubs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// The <c>chatter-raw</c> hub protocol: maps the original protocol's JSON frames to hub calls and the hub's messages
/// and answers back to frames, so a <c>/ws/chat</c> client is an ordinary hub connection.
/// <para>
/// Inbound, the frames waiting together become one request (<see cref="RawFrameBatcher"/>): chat frames one
/// <see cref="ChatHub.SendMessages"/> call, whose answers (<see cref="SendResult"/> values, each with its frame's ref)
/// are written back one per frame, in order: the ack (or nothing, for a frame without a ref) or the error. A presence
/// request is a <see cref="ChatHub.SubscribePresence"/> call, a history request a <see cref="ChatHub.GetHistory"/> call
/// (answered <c>{"ref","history":[...]}</c>), a kick a <see cref="ChatHub.Kick"/> call (answered
/// <c>{"ref","kicked","until"}</c>), an edit an <see cref="ChatHub.EditMessage"/> call (answered <c>{"ref","edited"}</c>)
/// and a delete a <see cref="ChatHub.DeleteMessage"/> call (answered <c>{"ref","deleted","thread"}</c>); for these SignalR's invocation id is the frame's ref, as SignalR's own
/// protocols use the id to match an answer to its call. Outbound, every frame is a record for the socket's writer
/// loop (<see cref="RawOutboundFrames"/>).
/// </para>
/// </summary>
public sealed class RawHubProtocol : IHubProtocol
{
    /// <summary>The protocol name in the in-process handshake.</summary>
    public const string ProtocolName = "chatter-raw";

    private const string SendsId = "s";
    private const string NoReference = "!";
    private const char ReferencePrefix = '#';

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    public string Name => ProtocolName;

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Text;

    public bool IsVersionSupported(int version) => version == Version;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!RawFrameBatcher.TryTake(ref input, out var request))
        {
            message = null;
            return false;
        }

        var id = request.Ref is { } reference ? ReferencePrefix + reference : NoReference;
        message = request switch
        {
            { Sends: { } sends } => new InvocationMessage(SendsId, nameof(ChatHub.SendMessages), [sends]),
            { History: { } page } => new InvocationMessage(id, nameof(ChatHub.GetHistory), [page.Thread, page.Before, page.Limit]),
            { Read: { } marker } => new InvocationMessage(id, nameof(ChatHub.MarkRead), [marker.Thread, marker.Id]),
            { Typing: { } thread } => new InvocationMessage(id, nameof(ChatHub.Typing), [thread]),
            { Kick: { } user } => new InvocationMessage(id, nameof(ChatHub.Kick), [user]),
            { Edit: { } edit } => new InvocationMessage(id, nameof(ChatHub.EditMessage), [edit.Id, edit.Message]),
            { Delete: { } deleted } => new InvocationMessage(id, nameof(ChatHub.DeleteMessage), [deleted]),
            _ => new InvocationMessage(id, nameof(ChatHub.SubscribePresence), []),
        };
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        switch (message)
        {
            case InvocationMessage { Target: nameof(IChatClient.ReceiveMessage), Arguments: [ChatMessage chat] }:
                Write(output, chat.Id, chat, static (chat, buffer) => FrameWriter.WriteMessage(chat, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.Recovered), Arguments: [Recovery recovery] }:
                Write(output, RawOutboundFrames.Other, recovery, static (recovery, buffer) => FrameWriter.WriteRecovery(recovery, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.Checkpoint), Arguments: [long upTo] }:
                Write(output, RawOutboundFrames.Other, upTo, static (upTo, buffer) => FrameWriter.WriteCheckpoint(upTo, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.ReadMarker), Arguments: [ReadMarker marker] }:
                Write(output, RawOutboundFrames.Other, marker, static (marker, buffer) => FrameWriter.WriteReadMarker(marker, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.ReadMarkers), Arguments: [IReadOnlyDictionary<string, long> markers] }:
                Write(output, RawOutboundFrames.Other, markers, static (markers, buffer) => FrameWriter.WriteReadMarkers(markers, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.UserTyping), Arguments: [TypingNotice notice] }:
                Write(output, RawOutboundFrames.Droppable, notice, static (notice, buffer) => FrameWriter.WriteTyping(notice, buffer));
                break;
            case InvocationMessage { Target: PrivateId.Method, Arguments: [PrivateId id] }:
                RawOutboundFrames.WritePrivateId(output, id);
                break;
            case InvocationMessage { Target: nameof(IChatClient.MessageEdited), Arguments: [ChatMessage edited] }:
                Write(output, RawOutboundFrames.Other, edited, static (edited, buffer) => FrameWriter.WriteEdited(null, edited, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.MessageDeleted), Arguments: [DeletedMessage deleted] }:
                Write(output, RawOutboundFrames.Other, deleted, static (deleted, buffer) => FrameWriter.WriteDeleted(null, deleted, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.UserJoined), Arguments: [string user] }:
                Write(output, RawOutboundFrames.Other, user, static (user, buffer) => FrameWriter.WritePresence("joined", user, buffer));
                break;
            case InvocationMessage { Target: nameof(IChatClient.UserLeft), Arguments: [string user] }:
                Write(output, RawOutboundFrames.Other, user, static (user, buffer) => FrameWriter.WritePresence("left", user, buffer));
                break;
            case CompletionMessage { Result: SendResult[] results }:
                foreach (var result in results)
                {
                    WriteAnswer(result.Error, result.Ref, result.Stored, output);
                }

                break;
            case CompletionMessage { InvocationId: SendsId, Error: not null }:
                // The call itself failed (the hub answers every send it got, so this is a fault of the server's).
                WriteAnswer("server error", null, null, output);
                break;
            case CompletionMessage { Error: not null } completion:
                WriteAnswer("server error", Reference(completion.InvocationId), null, output);
                break;
            case CompletionMessage { Result: IHubAnswer { Refusal: { } refusal } } completion:
                WriteAnswer(refusal, Reference(completion.InvocationId), null, output);
                break;
            case CompletionMessage { Result: HubAnswer<IReadOnlyList<ChatMessage>> { Result: { } page } } completion:
                Write(output, RawOutboundFrames.Other, (Reference(completion.InvocationId), page), static (state, buffer) => FrameWriter.WriteHistory(state.Item1, state.page, buffer));
                break;
            case CompletionMessage { Result: HubAnswer<KickResponse> { Result: { } kicked } } completion:
                Write(output, RawOutboundFrames.Other, (Reference(completion.InvocationId), kicked), static (state, buffer) => FrameWriter.WriteKicked(state.Item1, state.kicked.User, state.kicked.Until, buffer));
                break;
            case CompletionMessage { Result: HubAnswer<ChatMessage> { Result: { } edited } } completion:
                Write(output, RawOutboundFrames.Other, (Reference(completion.InvocationId), edited), static (state, buffer) => FrameWriter.WriteEdited(state.Item1, state.edited, buffer));
                break;
            case CompletionMessage { Result: HubAnswer<DeletedMessage> { Result: { } deleted } } completion:
                Write(output, RawOutboundFrames.Other, (Reference(completion.InvocationId), deleted), static (state, buffer) => FrameWriter.WriteDeleted(state.Item1, state.deleted, buffer));
                break;
            case CloseMessage { Error: not null }:
                RawOutboundFrames.Write(output, RawOutboundFrames.ServerError, []);
                break;
            default:
                // Pings, closes, presence answers and other SignalR-only messages have no raw form.
                break;
        }
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

    private static void WriteAnswer(string? error, string? reference, ChatMessage? stored, IBufferWriter<byte> output)
    {
        if (error is not null)
        {
            Write(output, RawOutboundFrames.Other, (error, reference), static (state, buffer) => FrameWriter.WriteError(state.error, state.reference, buffer));
        }
        else if (reference is not null && stored is not null)
        {
            Write(output, RawOutboundFrames.Other, (reference, stored), static (state, buffer) => FrameWriter.WriteAck(state.reference, state.stored, buffer));
        }
    }

    /// <summary>One record whose payload <paramref name="write"/> makes (in a scratch buffer first: the record starts with its length).</summary>
    private static void Write<TState>(IBufferWriter<byte> output, long tag, TState state, Action<TState, IBufferWriter<byte>> write)
    {
        var payload = scratch ??= new ArrayBufferWriter<byte>(512);
        payload.ResetWrittenCount();
        write(state, payload);
        RawOutboundFrames.Write(output, tag, payload.WrittenSpan);
    }

    private static string? Reference(string? invocationId)
        => invocationId is [ReferencePrefix, ..] ? invocationId[1..] : null;
}
