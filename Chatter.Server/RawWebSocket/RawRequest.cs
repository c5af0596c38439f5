using Chatter.Server.Hubs;

namespace Chatter.Server.RawWebSocket;

/// <summary>What <see cref="RawFrameBatcher"/> took: chat sends, or (when <see cref="Sends"/> is null) a presence request with its ref.</summary>
public readonly record struct RawRequest(ChatSend[]? Sends, string? PresenceRef);
