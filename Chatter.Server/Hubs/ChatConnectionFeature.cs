using Microsoft.AspNetCore.SignalR;

namespace Chatter.Server.Hubs;

/// <summary>
/// Set by the <c>/ws/chat</c> adapter on the in-process connection it hands to the hub: which transport the
/// client came by and what its login frame asked for. Hub connections of SignalR clients have none.
/// </summary>
public sealed class ChatConnectionFeature(string transport, long? since, int version = 1, string? epoch = null)
{
    /// <summary><c>raw</c> for <c>/ws/chat</c> clients.</summary>
    public string Transport { get; } = transport;

    /// <summary>The login frame's <c>since</c>: replay only messages with a greater id.</summary>
    public long? Since { get; } = since;

    /// <summary>The login frame's <c>v</c>: 2 opts in to the recovery answer and checkpoints.</summary>
    public int Version { get; } = version;

    /// <summary>The login frame's <c>epoch</c>: the store epoch <see cref="Since"/> belongs to, when given.</summary>
    public string? Epoch { get; } = epoch;

    /// <summary>The transport of a hub connection: the adapter's (<c>raw</c>), or <c>signalr</c> when it has no feature.</summary>
    public static string TransportOf(HubCallerContext context) => context.Features.Get<ChatConnectionFeature>()?.Transport ?? "signalr";
}
