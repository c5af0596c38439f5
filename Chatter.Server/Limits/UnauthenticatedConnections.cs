using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>
/// Counts <c>/ws/chat</c> sockets that have not logged in yet, per remote address and in all
/// (<c>Chatter:Limits:MaxUnauthenticatedPerAddress</c>, <c>MaxUnauthenticated</c>). The upgrade takes a place before the
/// WebSocket is accepted and gives it back when the login exchange ends, so no one can hold the node with sockets that
/// never log in.
/// </summary>
internal sealed class UnauthenticatedConnections(IOptions<LimitsOptions> options)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> perAddress = new(StringComparer.Ordinal);
    private int total;

    /// <summary>A place for a socket from <paramref name="remoteAddress"/>, or the refusal's HTTP status (429: this address, 503: the node).</summary>
    public (IDisposable? Place, int Status) TryEnter(string? remoteAddress)
    {
        var limits = options.Value;
        var address = remoteAddress ?? "unknown";
        lock (gate)
        {
            if (limits.MaxUnauthenticated > 0 && total >= limits.MaxUnauthenticated)
            {
                return (null, StatusCodes.Status503ServiceUnavailable);
            }

            perAddress.TryGetValue(address, out var mine);
            if (limits.MaxUnauthenticatedPerAddress > 0 && mine >= limits.MaxUnauthenticatedPerAddress)
            {
                return (null, StatusCodes.Status429TooManyRequests);
            }

            perAddress[address] = mine + 1;
            total++;
        }

        return (new Place(this, address), StatusCodes.Status200OK);
    }

    private void Leave(string address)
    {
        lock (gate)
        {
            total--;
            if (--perAddress[address] == 0)
            {
                perAddress.Remove(address);
            }
        }
    }

    private sealed class Place(UnauthenticatedConnections owner, string address) : IDisposable
    {
        private int left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref left, 1) == 0)
            {
                owner.Leave(address);
            }
        }
    }
}
