using Microsoft.Extensions.Options;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.History;

/// <summary><c>Chatter:History:Store=postgres</c> without a usable connection string refuses the start, naming the key.</summary>
[CancelAfter(30_000)]
public class PostgresOptionsTests
{
    [TestCase(null, "Chatter:History:ConnectionString is required when Chatter:History:Store is postgres")]
    [TestCase("Database=chatter", "Chatter:History:ConnectionString names no Host")]
    [TestCase("Host=localhost;NoSuchKeyword=1", "Chatter:History:ConnectionString is not a valid Npgsql connection string")]
    public void APostgresStoreWithoutAUsableConnectionStringRefusesTheStart(string? connectionString, string expected, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Chatter:History:Store"] = "postgres",
            ["Chatter:History:ConnectionString"] = connectionString,
            ["Chatter:Token:SigningKey"] = ChatterCluster.SigningKey,
        };

        var directory = Directory.CreateTempSubdirectory("chatter-pg-options-");
        try
        {
            var refused = Assert.ThrowsAsync<OptionsValidationException>(() => ChatterServer.StartAsync(settings, directory: directory.FullName).WaitAsync(ct));
            Assert.That(string.Join("\n", refused!.Failures), Does.Contain(expected));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
