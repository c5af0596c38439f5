namespace Chatter.Server.RawWebSocket;

/// <summary>
/// One frame of a <see cref="RawFrameBatch"/>: a chat message (<see cref="Thread"/>, <see cref="Message"/>, as the
/// client wrote them, not yet validated), or a frame the parser refused (<see cref="Refused"/>).
/// <see cref="RateLimited"/> is set by the limits filter for a frame past the connection's rate.
/// </summary>
public readonly record struct BatchedFrame(string? Thread, string? Message, string? Reference, string? Refused)
{
    public bool RateLimited { get; init; }
}
