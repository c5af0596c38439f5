namespace Chatter.Server.Hubs;

/// <summary>A refused call, answered with its reason (a hub filter answers with it in place of the call).</summary>
public sealed record HubRefusal(string Reason) : IHubAnswer
{
    object? IHubAnswer.Value => null;

    string? IHubAnswer.Refusal => Reason;
}
