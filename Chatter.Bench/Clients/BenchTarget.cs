namespace Chatter.Bench.Clients;

/// <summary>
/// The server under test, from <c>--url ws://HOST:PORT</c> (with or without <c>/ws/chat</c>): where raw clients, SignalR
/// clients and the token endpoint are. <paramref name="Name"/> labels its column in the results (chatter, baseline).
/// </summary>
internal sealed record BenchTarget(string Name, Uri WsUri, Uri HttpUri)
{
    public Uri HubUri => new(HttpUri, "/hubs/chat");

    public Uri TokenUri => new(HttpUri, "/api/token");

    public static BenchTarget Parse(string name, string url)
    {
        var uri = new Uri(url);
        var scheme = uri.Scheme is "wss" or "https" ? "s" : "";
        var ws = uri.AbsolutePath is "" or "/" ? new Uri($"ws{scheme}://{uri.Authority}/ws/chat") : new Uri($"ws{scheme}://{uri.Authority}{uri.AbsolutePath}");
        return new BenchTarget(name, ws, new Uri($"http{scheme}://{uri.Authority}/"));
    }
}
