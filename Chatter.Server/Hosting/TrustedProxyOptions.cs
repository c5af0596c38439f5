using System.Net;
using Microsoft.Extensions.Options;

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

/// <summary>Checks that every trusted proxy is an IP address and every network a CIDR range, naming the key of a bad one.</summary>
public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{TrustedProxyOptions.Section}:{nameof(options.KnownProxies)}:{i} is invalid: '{options.KnownProxies[i]}' is not an IP address");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Length; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"{TrustedProxyOptions.Section}:{nameof(options.KnownNetworks)}:{i} is invalid: '{options.KnownNetworks[i]}' is not a network such as 10.0.0.0/8");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
