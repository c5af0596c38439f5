using System.Net;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Hosting;

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
