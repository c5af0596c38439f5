namespace Chatter.Tests.Infrastructure;

/// <summary>Test classes whose tests share one private <see cref="PostgresServer"/> (each test its own database), started once and stopped after the last.</summary>
public abstract class PostgresTestBase
{
    /// <summary>The class's PostgreSQL.</summary>
    protected PostgresServer Postgres { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartPostgres() => Postgres = await PostgresServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}
