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

    private StoredPassword(PasswordHash? hash, byte[]? plainDigest, bool isHashed, byte[] fingerprint)
    {
        this.hash = hash;
        this.plainDigest = plainDigest;
        IsHashed = isHashed;
        Fingerprint = fingerprint;
    }

    /// <summary>True for a hash in the file, false for a plain password (even one hashed in memory, see <see cref="WithCostOf"/>).</summary>
    public bool IsHashed { get; }

    /// <summary>PBKDF2 iterations a check of this password costs; 0 for a plain password checked by its digest.</summary>
    public int Iterations => hash?.Iterations ?? 0;

    /// <summary>
    /// SHA-256 of the entry as the file holds it: changes whenever the password (or its hash) does. Kept in memory only;
    /// tokens carry a keyed digest of it (see <see cref="TokenService"/>), never the value itself.
    /// </summary>
    public byte[] Fingerprint { get; }

    /// <summary>A stored hash.</summary>
    public static StoredPassword Hashed(PasswordHash hash, string value) => new(hash, null, isHashed: true, Digest(value));

    /// <summary>A hash of a random secret (what an unknown name is checked against).</summary>
    public static StoredPassword Hashed(PasswordHash hash) => new(hash, null, isHashed: true, RandomNumberGenerator.GetBytes(SHA256.HashSizeInBytes));

    /// <summary>A plain password; only its SHA-256 digest is kept in memory, and compared in constant time.</summary>
    public static StoredPassword Plain(string password)
    {
        var digest = Digest(password);
        return new(null, digest, isHashed: false, digest);
    }

    /// <summary>
    /// This password checked at the cost of <paramref name="iterations"/> PBKDF2 iterations: a plain password is hashed
    /// (in memory, with a new salt) so that its check takes as long as a stored hash's and a login's timing does not tell
    /// which users still have a plain password (REVIEW L6). A hash, or 0 iterations, is returned as it is.
    /// </summary>
    public StoredPassword WithCostOf(int iterations, string plainPassword)
        => hash is not null || iterations <= 0
            ? this
            : new(PasswordHash.FromPassword(plainPassword, iterations), null, isHashed: false, Fingerprint);

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

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
