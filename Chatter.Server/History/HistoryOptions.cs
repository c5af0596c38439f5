using System.ComponentModel.DataAnnotations;
using Chatter.Server.Backplane;

namespace Chatter.Server.History;

/// <summary><c>Chatter:History</c>.</summary>
public sealed class HistoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:History";

    /// <summary>The stores <see cref="Store"/> may name.</summary>
    public const string StorePattern = "^(sqlite|memory|redis|postgres)$";

    /// <summary>
    /// <c>sqlite</c>: a file that survives restarts; <c>memory</c>: the original's in-memory history; <c>redis</c>: shared by
    /// every node on <c>Chatter:Redis:Configuration</c>; <c>postgres</c>: shared by every node on <see cref="ConnectionString"/>,
    /// as durable as that database. Unset (default): <c>redis</c> when Redis is configured, else <c>sqlite</c>
    /// (see <see cref="StoreWith"/>).
    /// </summary>
    [RegularExpression(StorePattern)]
    public string? Store { get; set; }

    /// <summary>
    /// The PostgreSQL store's Npgsql connection string (<c>Host=…;Port=5432;Database=chatter;Username=…;Password=…</c>);
    /// required when <see cref="Store"/> is <c>postgres</c>. The database must exist; Chatter creates and migrates its tables.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite file, relative to the working directory. Default <c>chatter.db</c>.</summary>
    [Required]
    public string Path { get; set; } = "chatter.db";

    /// <summary>Messages older than this many days are removed in the background; 0 (default) keeps them.</summary>
    [Range(0, 36_500)]
    public int MaxAgeDays { get; set; }

    /// <summary>How long a write waits for a locked database before the message is refused, in seconds. Default 5.</summary>
    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// SQLite durability: <c>full</c> (default; every acknowledged message is on disk, it survives a power loss) or
    /// <c>normal</c> (no fsync per commit; an acknowledged message survives a crash of Chatter, not of the machine).
    /// </summary>
    [Required]
    [RegularExpression("^(full|normal)$")]
    public string Synchronous { get; set; } = "full";

    /// <summary>Seconds between background retention runs. Default 60.</summary>
    [Range(1, 86_400)]
    public int PruneIntervalSeconds { get; set; } = 60;

    /// <summary>Messages kept per thread; the oldest are dropped. Default 10,000.</summary>
    [Range(1, 100_000_000)]
    public int MaxPerThread { get; set; } = 10_000;

    /// <summary>Messages replayed on login, newest of each thread. Default 100.</summary>
    [Range(0, 100_000)]
    public int ReplayLimit { get; set; } = 100;

    /// <summary>Messages replayed on login in all, the newest. Default 1,000.</summary>
    [Range(0, 100_000)]
    public int ReplayMaxTotal { get; set; } = 1_000;

    /// <summary>
    /// Minutes within which a chat message with a ref that repeats one of its user's (same ref, thread and text) is
    /// answered with the original instead of stored again; 0 turns that off. Default 10.
    /// </summary>
    [Range(0, 1_440)]
    public int DedupeMinutes { get; set; } = 10;

    /// <summary>The history store in use: <see cref="Store"/>, or its default (<c>redis</c> when Redis is configured, else <c>sqlite</c>).</summary>
    public string StoreWith(RedisOptions redis) => Store ?? (redis.IsConfigured ? "redis" : "sqlite");
}
