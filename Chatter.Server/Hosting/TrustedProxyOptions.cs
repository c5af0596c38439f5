namespace Chatter.Server.Hosting;

/// <summary>
/// <c>Chatter:ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// Chatter believes, so that the login throttle, the logs and the origin policy see the client's address rather than
/// the proxy's. Both lists empty (default): the headers are ignored, as they must be when clients reach Chatter directly
/// (anyone could send them).
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (<c>127.0.0.1</c>, <c>10.0.0.5</c>, <c>::1</c>). Default: none.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>). Default: none.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>True when any proxy is trusted.</summary>
    public bool IsEnabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}
