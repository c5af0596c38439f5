using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Authentication;

/// <summary><c>Chatter:Token</c>.</summary>
public sealed class TokenOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:Token";

    /// <summary>
    /// Base64 HMAC-SHA256 key (at least 32 bytes; <c>openssl rand -base64 32</c>) that signs bearer tokens. Empty
    /// (default): a random key per process, so tokens do not survive a restart; allowed only without Redis and with a
    /// node-local store (<see cref="SigningKeyValidator"/>), since nodes must accept each other's tokens.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a token is valid, in minutes. Default 60.</summary>
    [Range(1, 60 * 24 * 30)]
    public int LifetimeMinutes { get; set; } = 60;
}
