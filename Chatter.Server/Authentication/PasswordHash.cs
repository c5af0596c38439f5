using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace Chatter.Server.Authentication;

/// <summary>
/// A password hash as <c>users.json</c> stores it: <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>, PBKDF2 with
/// HMAC-SHA256, the salt (16 bytes) and the derived key (32 bytes) in base64. Self-describing, so the
/// iteration count can be raised for new hashes while older ones still verify.
/// </summary>
internal sealed class PasswordHash
{
    /// <summary>What every hash starts with; a value without it is a plain password.</summary>
    public const string Prefix = "pbkdf2-sha256$";

    /// <summary>Iterations for new hashes: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>The fewest iterations a hash may have; below this a hash is refused as too weak.</summary>
    public const int MinIterations = 10_000;

    /// <summary>The most iterations a hash may have (a bound on the work of one login).</summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int KeyBytes = 32;

    private readonly byte[] salt;
    private readonly byte[] key;

    private PasswordHash(int iterations, byte[] salt, byte[] key)
    {
        Iterations = iterations;
        this.salt = salt;
        this.key = key;
    }

    /// <summary>PBKDF2 iterations of this hash.</summary>
    public int Iterations { get; }

    /// <summary>True when <paramref name="value"/> is meant as a hash (it starts with <see cref="Prefix"/>).</summary>
    public static bool LooksLikeHash(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Hashes <paramref name="password"/> with a new random salt.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var key = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, KeyBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(key)}");
    }

    /// <summary>
    /// A hash of <paramref name="password"/> with a new salt, held in memory only: what a plain password of the users
    /// file is checked against (any iteration count the file's hashes may have).
    /// </summary>
    public static PasswordHash FromPassword(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new(iterations, salt, Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, KeyBytes));
    }

    /// <summary>Reads a hash; false (and no detail, since the text is secret) when it is not a valid one.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out PasswordHash? hash)
    {
        hash = null;
        if (!LooksLikeHash(value))
        {
            return false;
        }

        var parts = value[Prefix.Length..].Split('$');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var key = Convert.FromBase64String(parts[2]);
            if (salt.Length < 8 || key.Length < 16)
            {
                return false;
            }

            hash = new PasswordHash(iterations, salt, key);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A hash of a random secret with <paramref name="iterations"/>: what an unknown user is checked against.</summary>
    public static PasswordHash Dummy(int iterations)
        => new(iterations, RandomNumberGenerator.GetBytes(SaltBytes), RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>Derives the key from <paramref name="password"/> and compares in constant time.</summary>
    public bool Verify(string password)
    {
        Span<byte> derived = stackalloc byte[key.Length];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, derived, Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, key);
    }
}
