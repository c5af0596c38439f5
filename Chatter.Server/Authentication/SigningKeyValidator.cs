using Chatter.Server.Backplane;
using Chatter.Server.History;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>
/// Checks <c>Chatter:Token:SigningKey</c> at start. Empty is allowed only for a node that shares nothing (no Redis,
/// a node-local store): it then signs with a key of its own, made per process. Several nodes must all verify each
/// other's tokens, so with Redis (backplane or store) or any shared store the key is required. A key is base64 of
/// at least <see cref="MinimumBytes"/> bytes. <paramref name="redis"/> and <paramref name="history"/> are
/// <c>Chatter:Redis</c> and <c>Chatter:History</c> as configured.
/// </summary>
public sealed class SigningKeyValidator(RedisOptions redis, HistoryOptions history) : IValidateOptions<TokenOptions>
{
    /// <summary>The configuration key, as a user sets it.</summary>
    public const string Key = "Chatter:Token:SigningKey";

    /// <summary>The shortest key, in bytes (the HMAC-SHA256 block of security).</summary>
    public const int MinimumBytes = 32;

    private const string HowToMakeOne = "make one with `openssl rand -base64 32` and give every node the same value";

    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var key = options.SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return SharedByNodes()
                ? ValidateOptionsResult.Fail(
                    $"{Key} is required when nodes share {(redis.IsConfigured ? "Redis (Chatter:Redis:Configuration)" : $"the {history.StoreWith(redis)} store")}: " +
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

    /// <summary>
    /// Redis configured (backplane, store or both), or a store other than the node-local ones. A store name that is no
    /// store at all is <see cref="HistoryOptionsValidator"/>'s to refuse (naming <c>Chatter:History:Store</c>), not a
    /// reason to ask for a key as well.
    /// </summary>
    private bool SharedByNodes()
        => redis.IsConfigured
            || history.StoreWith(redis) is not ("sqlite" or "memory") && System.Text.RegularExpressions.Regex.IsMatch(history.StoreWith(redis), HistoryOptions.StorePattern);
}
