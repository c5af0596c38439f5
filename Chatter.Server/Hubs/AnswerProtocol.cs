using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chatter.Server.Hubs;

/// <summary>
/// A SignalR protocol (JSON, MessagePack) that writes the hub's <see cref="IHubAnswer"/> values as SignalR clients expect
/// them: a refusal as a completion with an error (the client throws <c>HubException</c> with the reason), a success as
/// the plain result. Everything else is the inner protocol's.
/// </summary>
public sealed class AnswerProtocol(IHubProtocol inner) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
        => inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Unwrap(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Unwrap(message));

    private static HubMessage Unwrap(HubMessage message) => message switch
    {
        CompletionMessage { Result: IHubAnswer { Refusal: { } error } } completion => CompletionMessage.WithError(completion.InvocationId!, error),
        CompletionMessage { Result: IHubAnswer answer } completion => CompletionMessage.WithResult(completion.InvocationId!, answer.Value),
        _ => message,
    };
}
