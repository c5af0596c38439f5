using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Chatter.Bench.Baseline;

/// <summary>
/// The SignalR baseline's bearer tokens: <c>user.base64url(HMAC-SHA256(user))</c> with a key random per process, issued
/// for a user of the users file and its plain password. Stateless like Chatter's (no table grows with logins); no expiry,
/// which a bench run does not need.
/// </summary>
internal sealed class SignalRBaselineTokens(IReadOnlyDictionary<string, string> users)
{
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, byte[]> passwords = users.ToDictionary(u => u.Key, u => Encoding.UTF8.GetBytes(u.Value), StringComparer.Ordinal);

    /// <summary>A token for <paramref name="user"/>, or null when the user is unknown or the password wrong.</summary>
    public string? Issue(string? user, string? password)
    {
        if (user is null || password is null || !passwords.TryGetValue(user, out var expected)
            || !CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(password)))
        {
            return null;
        }

        return user + "." + Base64Url.EncodeToString(Sign(user));
    }

    /// <summary>The user a token names when its signature is right; null otherwise.</summary>
    public string? Validate(string token)
    {
        var dot = token.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        var user = token[..dot];
        var signature = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(signature, Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Sign(user)))) ? user : null;
    }

    private byte[] Sign(string user) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(user));
}
