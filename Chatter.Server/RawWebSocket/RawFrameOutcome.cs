using Chatter.Protocol;

namespace Chatter.Server.RawWebSocket;

/// <summary>The hub's answer to one frame of a batch: the stored message (its ack), or the reason it was refused.</summary>
public readonly record struct RawFrameOutcome(ChatMessage? Stored, string? Error);
