namespace Chatter.Server.Hubs;

/// <summary>
/// What a hub call answers, as a value: the result, or the reason the call was refused. Refusals are answers, not
/// exceptions, so nothing is logged as an error for a client's bad input; each protocol writes them in its own form
/// (<see cref="AnswerProtocol"/> as a SignalR completion with an error, which a SignalR client throws as
/// <c>HubException</c>; the raw protocol as <c>{"error"}</c> frames).
/// </summary>
public interface IHubAnswer
{
    /// <summary>The result when the call succeeded.</summary>
    object? Value { get; }

    /// <summary>The reason the call was refused; null when it succeeded.</summary>
    string? Refusal { get; }
}
