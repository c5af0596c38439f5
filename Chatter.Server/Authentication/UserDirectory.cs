using System.Security.Claims;
using System.Security.Cryptography;
using Chatter.Server.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Log = Chatter.Server.Authentication.AuthenticationLog;

namespace Chatter.Server.Authentication;

/// <summary>
/// The users of <c>users.json</c>, re-read whenever the file changes. A missing file refuses every login
/// (with a loud warning); a malformed file stops the start, and on a later edit keeps the last good set.
/// </summary>
public sealed class UserDirectory : IHostedService, IDisposable
{
    private readonly string path;
    private readonly ILogger<UserDirectory> logger;
    private readonly PhysicalFileProvider files;
    private IDisposable? watch;
    private volatile Users users = Users.Empty;
    private CancellationTokenSource reloaded = new();

    public UserDirectory(IOptions<ChatterOptions> options, ILogger<UserDirectory> logger)
    {
        this.logger = logger;
        path = Path.GetFullPath(options.Value.UsersFile, Directory.GetCurrentDirectory());
        files = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
    }

    /// <summary>The full path of the users file.</summary>
    public string FilePath => path;

    /// <summary>Fires once after the next (re)load of the file; take a new token after each.</summary>
    public IChangeToken ReloadToken => new CancellationChangeToken(reloaded.Token);

    /// <summary>
    /// Raised after a reload with the users who were removed or whose password changed; their connections and tokens must
    /// stop working (<see cref="UserRevocation"/>).
    /// </summary>
    public event Action<IReadOnlyList<string>>? UsersRevoked;

    /// <summary>The fingerprint of <paramref name="name"/>'s entry in the file (see <see cref="StoredPassword.Fingerprint"/>), null for no user.</summary>
    internal byte[]? Fingerprint(string name) => users.Passwords.TryGetValue(name, out var stored) ? stored.Fingerprint : null;

    /// <summary>True when <paramref name="name"/> is a user now.</summary>
    public bool Exists(string name) => users.Passwords.ContainsKey(name);

    /// <summary>
    /// <paramref name="name"/> when it is a user, else null: what a refused login may log (a name that is not a user may
    /// be a password typed into the wrong field).
    /// </summary>
    public string? LoggableName(string name) => Exists(name) ? name : null;

    /// <summary>
    /// Checks a password. An unknown user costs the same work as a known one: the password is checked against
    /// a dummy of the file's strongest kind (a hash with the most iterations in the file, or a plain password).
    /// </summary>
    public bool Verify(string name, string password)
    {
        var current = users;
        var known = current.Passwords.TryGetValue(name, out var stored);
        return (stored ?? current.Dummy).Verify(password) && known;
    }

    /// <summary>A principal for an authenticated user: its name and identifier claims are the user name.</summary>
    public static ClaimsPrincipal CreatePrincipal(string name, string authenticationType)
    {
        // Each claim is made with its identity as subject: an identity copies every claim it is given of another subject.
        var identity = new ClaimsIdentity(authenticationType);
        identity.AddClaim(new Claim(ClaimTypes.Name, name, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, name, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
        return new ClaimsPrincipal(identity);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A malformed file at start throws here, so the host refuses to start and says why.
        Load(throwOnError: true);
        Watch();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watch?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        watch?.Dispose();
        files.Dispose();
        reloaded.Dispose();
    }

    private void Watch()
    {
        watch = ChangeToken.OnChange(() => files.Watch(Path.GetFileName(path)), () => Load(throwOnError: false));
    }

    private void Load(bool throwOnError)
    {
        List<string> revoked = [];
        try
        {
            if (!File.Exists(path))
            {
                revoked = [.. users.Passwords.Keys];
                users = Users.Empty;
                Log.UsersFileMissing(logger, path);
            }
            else
            {
                var loaded = new Users(UsersFile.Parse(File.ReadAllBytes(path), path));
                revoked = Revoked(users, loaded);
                users = loaded;
                Log.UsersLoaded(logger, path, loaded.Passwords.Count);
                if (loaded.PlainCount > 0)
                {
                    Log.PlainPasswords(logger, path, loaded.PlainCount);
                }
            }
        }
        catch (Exception ex) when (!throwOnError && ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A half-written file is common while an editor saves: keep the last good set, the next change reloads.
            Log.UsersFileRejected(logger, path, ex);
        }

        if (revoked.Count > 0)
        {
            UsersRevoked?.Invoke(revoked);
        }

        var previous = Interlocked.Exchange(ref reloaded, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>The users of <paramref name="before"/> that <paramref name="after"/> removed or gave another password.</summary>
    private static List<string> Revoked(Users before, Users after)
        => [.. before.Passwords
            .Where(entry => !after.Passwords.TryGetValue(entry.Key, out var now) || !now.Fingerprint.AsSpan().SequenceEqual(entry.Value.Fingerprint))
            .Select(entry => entry.Key)];

    /// <summary>What an unknown name is checked against: a hash with the most iterations in the file, else a plain password.</summary>
    internal static StoredPassword DummyFor(IReadOnlyDictionary<string, StoredPassword> passwords)
    {
        var strongest = passwords.Values.Max(p => (int?)p.Iterations) ?? 0;
        return strongest > 0
            ? StoredPassword.Hashed(PasswordHash.Dummy(strongest))
            : StoredPassword.Plain(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>One loaded users file, swapped whole on reload.</summary>
    private sealed class Users
    {
        public static readonly Users Empty = new(new Dictionary<string, StoredPassword>(StringComparer.Ordinal));

        public Users(Dictionary<string, StoredPassword> passwords)
        {
            Passwords = passwords;
            PlainCount = passwords.Values.Count(p => !p.IsHashed);
            Dummy = DummyFor(passwords);
        }

        public Dictionary<string, StoredPassword> Passwords { get; }

        public int PlainCount { get; }

        public StoredPassword Dummy { get; }
    }
}
