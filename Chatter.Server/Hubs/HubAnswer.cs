namespace Chatter.Server.Hubs;

/// <summary>The answer of a hub call that returns a <typeparamref name="T"/>: the value, or a refusal.</summary>
public readonly record struct HubAnswer<T>(T? Result, string? Error) : IHubAnswer
{
    object? IHubAnswer.Value => Result;

    string? IHubAnswer.Refusal => Error;

    public static implicit operator HubAnswer<T>(T value) => new(value, null);

    public static implicit operator HubAnswer<T>(HubRefusal refusal) => new(default, refusal.Reason);
}
