using Microsoft.Extensions.DependencyInjection;

namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Several real Chatter servers (Kestrel on 127.0.0.1) in the test process, sharing one Redis for backplane and history
/// under a channel prefix of their own, so tests on one redis-server never see each other's messages.
/// </summary>
public sealed class ChatterCluster : IAsyncDisposable
{
    private ChatterCluster(IReadOnlyList<ChatterServer> nodes) => Nodes = nodes;

    public IReadOnlyList<ChatterServer> Nodes { get; }

    public ChatterServer this[int index] => Nodes[index];

    /// <summary>
    /// The signing key of every test node that shares Redis: base64 of 32 bytes (<c>openssl rand -base64 32</c>), as
    /// Chatter requires once nodes share anything.
    /// </summary>
    public const string SigningKey = "ziPhOVSo/RAA+/HlWaxVHd65JD1+aYuE3NQHs66SdvQ=";

    /// <summary>The settings every node of a cluster on <paramref name="redis"/> gets (plus <paramref name="extra"/>).</summary>
    public static Dictionary<string, string?> Settings(RedisServer redis, string prefix, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Chatter:Redis:Configuration"] = redis.Configuration,
            ["Chatter:Redis:ChannelPrefix"] = prefix,
            ["Chatter:Token:SigningKey"] = SigningKey,
            // The cluster tests send bursts from one connection; the per-connection rate limit has its own tests.
            ["Chatter:Limits:MessagesPerSecond"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Starts <paramref name="count"/> nodes; <paramref name="configureNode"/> may replace services of node i.</summary>
    public static async Task<ChatterCluster> StartAsync(
        RedisServer redis,
        int count,
        IReadOnlyDictionary<string, string?>? settings = null,
        IReadOnlyDictionary<string, string>? users = null,
        Action<int, IServiceCollection>? configureNode = null)
    {
        var prefix = $"t{Guid.NewGuid():N}";
        var nodes = new List<ChatterServer>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var node = i;
                nodes.Add(await ChatterServer.StartAsync(
                    Settings(redis, prefix, settings), users, configureServices: configureNode is null ? null : services => configureNode(node, services)));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }

        return new ChatterCluster(nodes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
