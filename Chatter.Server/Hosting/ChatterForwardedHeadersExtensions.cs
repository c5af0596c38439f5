using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Hosting;

/// <summary>Running behind a reverse proxy: <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the trusted ones (<see cref="TrustedProxyOptions"/>).</summary>
public static class ChatterForwardedHeadersExtensions
{
    /// <summary>Binds and validates <c>Chatter:ForwardedHeaders</c> and sets ASP.NET Core's forwarded-headers middleware from it.</summary>
    public static WebApplicationBuilder AddChatterForwardedHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies: not ASP.NET Core's default of loopback.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in trusted.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            // Through a chain of trusted proxies to the first address that is not one: that is the client.
            forwarded.ForwardLimit = null;
        });
        return builder;
    }

    /// <summary>The forwarded-headers middleware, when a proxy is trusted; nothing otherwise.</summary>
    public static WebApplication UseChatterForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.IsEnabled)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
