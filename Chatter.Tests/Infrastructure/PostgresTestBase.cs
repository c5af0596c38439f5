namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Test classes whose tests share one private <see cref="PostgresServer"/> (each test its own database), started once and
/// stopped after the last; the stores a test starts are stopped at its end.
/// </summary>
public abstract class PostgresTestBase
{
    /// <summary>The class's PostgreSQL.</summary>
    protected PostgresServer Postgres { get; private set; } = null!;

    /// <summary>The stores (nodes) of the running test.</summary>
    protected PostgresStores Stores { get; } = new();

    [OneTimeSetUp]
    public async Task StartPostgres() => Postgres = await PostgresServer.StartAsync();

    [TearDown]
    public async Task StopStores() => await Stores.DisposeAsync();

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }
}
