using System.Security.Cryptography;
using System.Text;

namespace Chatter.Server.Authentication;

/// <summary>
/// One user's password as <c>users.json</c> holds it: a <see cref="PasswordHash"/>, or a plain password (the
/// original's format, still accepted; <c>users hash-all</c> converts it).
/// </summary>
internal sealed class StoredPassword
{
    private readonly PasswordHash? hash;
    private readonly byte[]? plainDigest;

    private StoredPassword(PasswordHash? hash, byte[]? plainDigest)
    {
        this.hash = hash;
        this.plainDigest = plainDigest;
    }

    /// <summary>True for a hash, false for a plain password.</summary>
    public bool IsHashed => hash is not null;

    /// <summary>PBKDF2 iterations of a hash; 0 for a plain password.</summary>
    public int Iterations => hash?.Iterations ?? 0;

    /// <summary>A stored hash.</summary>
    public static StoredPassword Hashed(PasswordHash hash) => new(hash, null);

    /// <summary>A plain password; only its SHA-256 digest is kept in memory, and compared in constant time.</summary>
    public static StoredPassword Plain(string password) => new(null, SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    /// <summary>True when <paramref name="password"/> is this password; the work does not depend on where they differ.</summary>
    public bool Verify(string password)
    {
        if (hash is not null)
        {
            return hash.Verify(password);
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(password), given);
        return CryptographicOperations.FixedTimeEquals(plainDigest, given);
    }
}
