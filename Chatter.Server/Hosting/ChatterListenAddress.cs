namespace Chatter.Server.Hosting;

/// <summary>
/// Where Chatter listens. ASP.NET Core decides, in its documented order: <c>Kestrel:Endpoints</c> (configuration) over
/// <c>urls</c> (<c>--urls</c>, <c>URLS</c>, <c>ASPNETCORE_URLS</c>, <c>DOTNET_URLS</c>) over <c>http_ports</c> and
/// <c>https_ports</c> (<c>ASPNETCORE_HTTP_PORTS</c>, <c>ASPNETCORE_HTTPS_PORTS</c>). Only when none of them is set does
/// Chatter add its own default, the original's <see cref="Default"/> (Kestrel's own would be <c>http://localhost:5000</c>).
/// </summary>
public static class ChatterListenAddress
{
    /// <summary>The address with nothing configured: every interface, port 8000, as the original server.</summary>
    public const string Default = "http://0.0.0.0:8000";

    /// <summary>Listens on <see cref="Default"/> unless the configuration names an address in any way ASP.NET Core reads one.</summary>
    public static WebApplicationBuilder ListenOnDefaultAddressUnlessConfigured(this WebApplicationBuilder builder)
    {
        if (!IsConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(Default);
        }

        return builder;
    }

    /// <summary>True when <paramref name="configuration"/> names an address: Kestrel endpoints, urls, or HTTP/HTTPS ports.</summary>
    public static bool IsConfigured(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
