using Chatter.Server.Backplane;
using StackExchange.Redis;

namespace Chatter.Server.Limits;

/// <summary>
/// The addresses each user has logged in from (what "smart lockout" calls familiar locations): guesses for a name from
/// elsewhere never block it from these. Bounded in memory: the <see cref="MaxUsers"/> users who logged in most lately,
/// each with their <see cref="MaxAddressesPerUser"/> latest addresses. With Redis the knowledge is shared by every node
/// (<c>known:USER</c>, a sorted set of addresses by last login, trimmed to the same bound and kept
/// <see cref="RedisLifetime"/>); while Redis does not answer, this node's own memory decides.
/// </summary>
internal sealed class KnownAddresses(RedisFallback fallback, TimeProvider time, RedisConnection? redis = null)
{
    /// <summary>Users remembered in memory.</summary>
    public const int MaxUsers = 10_000;

    /// <summary>Addresses remembered per user.</summary>
    public const int MaxAddressesPerUser = 8;

    /// <summary>How long Redis remembers a user's addresses after their last login.</summary>
    public static readonly TimeSpan RedisLifetime = TimeSpan.FromDays(30);

    private readonly Lock gate = new();
    private readonly LinkedList<(string User, List<string> Addresses)> recent = new();
    private readonly Dictionary<string, LinkedListNode<(string User, List<string> Addresses)>> byUser = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="user"/> has logged in from <paramref name="address"/> before.</summary>
    public async ValueTask<bool> IsKnownAsync(string user, string? address)
    {
        if (address is null)
        {
            return false;
        }

        lock (gate)
        {
            if (byUser.TryGetValue(user, out var node) && node.Value.Addresses.Contains(address))
            {
                return true;
            }
        }

        if (redis is null)
        {
            return false;
        }

        try
        {
            var known = (await (await redis.GetAsync()).GetDatabase().SortedSetScoreAsync(Key(user), address)) is not null;
            fallback.Answered();
            if (known)
            {
                RememberLocally(user, address);
            }

            return known;
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            fallback.Failed(ex);
            return false;
        }
    }

    /// <summary>Remembers a successful login of <paramref name="user"/> from <paramref name="address"/>.</summary>
    public async ValueTask RememberAsync(string user, string? address)
    {
        if (address is null)
        {
            return;
        }

        RememberLocally(user, address);
        if (redis is null)
        {
            return;
        }

        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            var key = Key(user);
            var batch = database.CreateTransaction();
            _ = batch.SortedSetAddAsync(key, address, time.GetUtcNow().ToUnixTimeMilliseconds());
            _ = batch.SortedSetRemoveRangeByRankAsync(key, 0, -(MaxAddressesPerUser + 1));
            _ = batch.KeyExpireAsync(key, RedisLifetime);
            await batch.ExecuteAsync();
            fallback.Answered();
        }
        catch (Exception ex) when (RedisConnection.IsFailure(ex))
        {
            fallback.Failed(ex);
        }
    }

    private void RememberLocally(string user, string address)
    {
        lock (gate)
        {
            if (byUser.TryGetValue(user, out var node))
            {
                recent.Remove(node);
            }
            else
            {
                node = new LinkedListNode<(string, List<string>)>((user, []));
                byUser[user] = node;
                if (byUser.Count > MaxUsers)
                {
                    byUser.Remove(recent.Last!.Value.User);
                    recent.RemoveLast();
                }
            }

            recent.AddFirst(node);
            var addresses = node.Value.Addresses;
            addresses.Remove(address);
            addresses.Insert(0, address);
            if (addresses.Count > MaxAddressesPerUser)
            {
                addresses.RemoveAt(addresses.Count - 1);
            }
        }
    }

    private RedisKey Key(string user) => redis!.KeyPrefix + "known:" + user;
}
