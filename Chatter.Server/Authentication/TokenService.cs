using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>
/// Issues and checks the hub's bearer tokens: <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>,
/// the payload being <c>{"sub":"name","exp":unix-seconds,"st":stamp}</c>. The key is <c>Chatter:Token:SigningKey</c>,
/// or random per process when that is empty. The stamp is a keyed digest of the user's entry in <c>users.json</c>
/// (<see cref="UserDirectory.Fingerprint"/>): a token stops working when its user is removed or its password changes.
/// </summary>
public sealed class TokenService
{
    private readonly byte[] key;
    private readonly TimeSpan lifetime;
    private readonly TimeProvider time;
    private readonly UserDirectory users;

    public TokenService(IOptions<TokenOptions> options, TimeProvider time, UserDirectory users)
    {
        this.users = users;
        var configured = options.Value.SigningKey;
        key = string.IsNullOrEmpty(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        lifetime = TimeSpan.FromMinutes(options.Value.LifetimeMinutes);
        this.time = time;
    }

    /// <summary>A token for <paramref name="user"/> and the moment it expires.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(string user)
    {
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((time.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(user, expiresAt.ToUnixTimeSeconds(), Stamp(user)), TokenJsonContext.Default.TokenPayload);
        var encoded = Base64Url.EncodeToString(payload);
        return (encoded + "." + Base64Url.EncodeToString(Sign(encoded)), expiresAt);
    }

    /// <summary>The user a token names, when its signature is right, it has not expired and the user's password is the one it was issued for.</summary>
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
            if (payload is null || payload.Sub is null || payload.Exp <= time.GetUtcNow().ToUnixTimeSeconds()
                || payload.St is null || Stamp(payload.Sub) is not { } stamp
                || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(payload.St), Encoding.ASCII.GetBytes(stamp)))
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

    /// <summary>The user's password stamp: 16 bytes of HMAC(key, fingerprint), null for no user.</summary>
    private string? Stamp(string user)
        => users.Fingerprint(user) is { } fingerprint ? Base64Url.EncodeToString(HMACSHA256.HashData(key, fingerprint).AsSpan(0, 16)) : null;

    private byte[] Sign(string encodedPayload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(encodedPayload));
}

internal sealed record TokenPayload(
    [property: System.Text.Json.Serialization.JsonPropertyName("sub")] string Sub,
    [property: System.Text.Json.Serialization.JsonPropertyName("exp")] long Exp,
    [property: System.Text.Json.Serialization.JsonPropertyName("st")] string? St);

[System.Text.Json.Serialization.JsonSerializable(typeof(TokenPayload))]
internal sealed partial class TokenJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
