using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Chatter.Server.Hosting;
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
    private static readonly byte[] DummyHash = SHA256.HashData("chatter: no such user"u8);

    private readonly string path;
    private readonly ILogger<UserDirectory> logger;
    private readonly PhysicalFileProvider files;
    private IDisposable? watch;
    private volatile Dictionary<string, byte[]> users = new(StringComparer.Ordinal);
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

    /// <summary>True when <paramref name="name"/> is a user now.</summary>
    public bool Exists(string name) => users.ContainsKey(name);

    /// <summary>
    /// Checks a password in constant time: the same work for a known user with a wrong password, a known
    /// user with the right one, and an unknown user.
    /// </summary>
    public bool Verify(string name, string password)
    {
        var known = users.TryGetValue(name, out var stored);
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        if (known)
        {
            SHA256.HashData(stored, expected);
        }
        else
        {
            DummyHash.CopyTo(expected);
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(password), given);
        return CryptographicOperations.FixedTimeEquals(expected, given) && known;
    }

    /// <summary>A principal for an authenticated user: its name and identifier claims are the user name.</summary>
    public static ClaimsPrincipal CreatePrincipal(string name, string authenticationType)
        => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.NameIdentifier, name)], authenticationType));

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
        try
        {
            if (!File.Exists(path))
            {
                users = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                Log.UsersFileMissing(logger, path);
            }
            else
            {
                users = UsersFile.Parse(File.ReadAllBytes(path), path);
                Log.UsersLoaded(logger, path, users.Count);
            }
        }
        catch (Exception ex) when (!throwOnError && ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A half-written file is common while an editor saves: keep the last good set, the next change reloads.
            Log.UsersFileRejected(logger, path, ex);
        }

        var previous = Interlocked.Exchange(ref reloaded, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }
}
