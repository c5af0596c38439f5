using System.Net;
using Chatter.Server.Authentication;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Hardening;

/// <summary>
/// A users.json value may be a plain password (the original's format, counted in one start-up warning) or a
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> hash.
/// </summary>
[CancelAfter(60_000)]
public class HashedPasswordTests
{
    // Few iterations keep the test quick; the format and the check are the same as with the default.
    private static readonly string AliceHash = PasswordHash.Create("alice-secret", iterations: PasswordHash.MinIterations);

    [Test]
    public async Task AHashedUserLogsInOnBothTransportsWithTheRightPasswordOnly(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: new Dictionary<string, string> { ["alice"] = AliceHash, ["test1"] = "pass1" });

        await using var raw = await server.LoginRawAsync("alice", "alice-secret", cancellationToken: ct);
        Assert.That(await server.PostTokenStatusAsync("alice", "alice-secret", ct), Is.EqualTo(HttpStatusCode.OK));
        await server.AssertRawLoginRefusedAsync("alice", "alice-secreT", ct);
        await server.AssertRawLoginRefusedAsync("alice", AliceHash, ct);
        Assert.That(await server.PostTokenStatusAsync("alice", AliceHash, ct), Is.EqualTo(HttpStatusCode.Unauthorized), "the hash is not a password");

        // The plain user beside it still works, and is counted in the warning.
        await using var plain = await server.LoginRawAsync("test1", "pass1", cancellationToken: ct);
        var warning = server.Logs.WithEventId(103).Single();
        Assert.That(LogCapture.Property(warning, "PlainCount"), Is.EqualTo("1"));
    }

    [Test]
    public async Task AFileOfHashesOnlyGivesNoPlainPasswordWarning(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(users: new Dictionary<string, string> { ["alice"] = AliceHash });
        await using var raw = await server.LoginRawAsync("alice", "alice-secret", cancellationToken: ct);
        Assert.That(server.Logs.WithEventId(103), Is.Empty);
    }

    [TestCase("pbkdf2-sha256$600000$bm90IGJhc2U2NA$$")]
    [TestCase("pbkdf2-sha256$12$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=")]
    [TestCase("pbkdf2-sha256$abc$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=")]
    [TestCase("pbkdf2-sha256$x")]
    public void ABrokenHashStopsTheStartNamingTheUserNotTheHash(string broken)
    {
        var error = Assert.CatchAsync(async () => await ChatterServer.StartAsync(users: new Dictionary<string, string> { ["mallory"] = broken, ["test1"] = "pass1" }));
        Assert.That(error!.ToString(), Does.Contain("'mallory'").And.Contain("not valid").And.Not.Contain(broken));
    }

    [Test]
    public void AnUnknownUserIsCheckedAgainstADummyOfTheStrongestHashInTheFile()
    {
        var strong = PasswordHash.Create("x", iterations: 20_000);
        var directory = Directory.CreateTempSubdirectory("chatter-hash-");
        try
        {
            var path = Path.Combine(directory.FullName, "users.json");
            UsersFile.Write(path, [KeyValuePair.Create("a", AliceHash), KeyValuePair.Create("b", strong), KeyValuePair.Create("c", "plain")]);
            var users = UsersFile.Parse(File.ReadAllBytes(path), path);
            // The plain user is checked through PBKDF2 with the file's most iterations, as a hashed user is (REVIEW L6).
            Assert.That(users.Values.Select(u => u.Iterations), Is.EquivalentTo(new[] { PasswordHash.MinIterations, 20_000, 20_000 }));
            Assert.That((users["c"].IsHashed, users["c"].Verify("plain"), users["c"].Verify("plaiN")), Is.EqualTo((false, true, false)), "still a plain user, with its own password");
            Assert.That(UserDirectory.DummyFor(users).Iterations, Is.EqualTo(20_000), "an unknown name costs as much as the costliest known one");
            Assert.That(UserDirectory.DummyFor(new Dictionary<string, StoredPassword> { ["c"] = StoredPassword.Plain("p") }).IsHashed, Is.False);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void TheHashFormatIsSelfDescribing()
    {
        var hash = PasswordHash.Create("pw");
        var parts = hash.Split('$');
        Assert.Multiple(() =>
        {
            Assert.That(parts, Has.Length.EqualTo(4));
            Assert.That(parts[0], Is.EqualTo("pbkdf2-sha256"));
            Assert.That(parts[1], Is.EqualTo(PasswordHash.DefaultIterations.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(Convert.FromBase64String(parts[2]), Has.Length.EqualTo(16), "salt");
            Assert.That(Convert.FromBase64String(parts[3]), Has.Length.EqualTo(32), "derived key");
            Assert.That(PasswordHash.Create("pw"), Is.Not.EqualTo(hash), "a new salt each time");
            Assert.That(PasswordHash.TryParse(hash, out var parsed) && parsed.Verify("pw") && !parsed.Verify("pW"), Is.True);
        });
    }
}
