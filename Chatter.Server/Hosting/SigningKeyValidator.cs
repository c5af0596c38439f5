using Microsoft.Extensions.Options;

namespace Chatter.Server.Hosting;

/// <summary>
/// Checks <c>Chatter:Token:SigningKey</c> at start. Empty is allowed only for a node that shares nothing (no Redis,
/// a node-local store): it then signs with a key of its own, made per process. Several nodes must all verify each
/// other's tokens, so with Redis (backplane or store) or any shared store the key is required. A key is base64 of
/// at least <see cref="MinimumBytes"/> bytes.
/// </summary>
public sealed class SigningKeyValidator : IValidateOptions<ChatterOptions>
{
    /// <summary>The configuration key, as a user sets it.</summary>
    public const string Key = "Chatter:Token:SigningKey";

    /// <summary>The shortest key, in bytes (the HMAC-SHA256 block of security).</summary>
    public const int MinimumBytes = 32;

    private const string HowToMakeOne = "make one with `openssl rand -base64 32` and give every node the same value";

    public ValidateOptionsResult Validate(string? name, ChatterOptions options)
    {
        var key = options.Token.SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return SharedByNodes(options)
                ? ValidateOptionsResult.Fail(
                    $"{Key} is required when nodes share {(options.Redis.IsConfigured ? "Redis (Chatter:Redis:Configuration)" : $"the {options.HistoryStore} store")}: " +
                    $"every node must accept the tokens the others issue; {HowToMakeOne}")
                : ValidateOptionsResult.Success;
        }

        var bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var length))
        {
            return ValidateOptionsResult.Fail($"{Key} is not base64; {HowToMakeOne}");
        }

        return length < MinimumBytes
            ? ValidateOptionsResult.Fail($"{Key} holds {length} bytes, fewer than {MinimumBytes}; {HowToMakeOne}")
            : ValidateOptionsResult.Success;
    }

    /// <summary>Redis configured (backplane, store or both), or a store other than the node-local ones.</summary>
    private static bool SharedByNodes(ChatterOptions options)
        => options.Redis.IsConfigured || options.HistoryStore is not ("sqlite" or "memory");
}
