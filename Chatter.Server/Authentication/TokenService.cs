using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chatter.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>
/// Issues and checks the hub's bearer tokens: <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>,
/// the payload being <c>{"sub":"name","exp":unix-seconds}</c>. The key is <c>Chatter:Token:SigningKey</c>,
/// or random per process when that is empty.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] key;
    private readonly TimeSpan lifetime;
    private readonly TimeProvider time;

    public TokenService(IOptions<ChatterOptions> options, TimeProvider time)
    {
        var configured = options.Value.Token.SigningKey;
        key = string.IsNullOrEmpty(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        lifetime = TimeSpan.FromMinutes(options.Value.Token.LifetimeMinutes);
        this.time = time;
    }

    /// <summary>A token for <paramref name="user"/> and the moment it expires.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string user)
    {
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((time.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(user, expiresAt.ToUnixTimeSeconds()), TokenJsonContext.Default.TokenPayload);
        var encoded = Base64Url.EncodeToString(payload);
        return (encoded + "." + Base64Url.EncodeToString(Sign(encoded)), expiresAt);
    }

    /// <summary>The user a token names, when its signature is right and it has not expired.</summary>
    public bool TryValidate(string token, out string? user)
    {
        user = null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1 || token.Length > 4096)
        {
            return false;
        }

        var encoded = token[..dot];
        Span<byte> signature = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Base64Url.IsValid(token.AsSpan(dot + 1), out var length) || length != signature.Length)
        {
            return false;
        }

        Base64Url.DecodeFromChars(token.AsSpan(dot + 1), signature);
        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(encoded)))
        {
            return false;
        }

        try
        {
            var payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(encoded), TokenJsonContext.Default.TokenPayload);
            if (payload is null || payload.Sub is null || payload.Exp <= time.GetUtcNow().ToUnixTimeSeconds())
            {
                return false;
            }

            user = payload.Sub;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return false;
        }
    }

    private byte[] Sign(string encodedPayload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(encodedPayload));
}

internal sealed record TokenPayload(
    [property: System.Text.Json.Serialization.JsonPropertyName("sub")] string Sub,
    [property: System.Text.Json.Serialization.JsonPropertyName("exp")] long Exp);

[System.Text.Json.Serialization.JsonSerializable(typeof(TokenPayload))]
internal sealed partial class TokenJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
