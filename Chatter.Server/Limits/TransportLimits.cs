namespace Chatter.Server.Limits;

/// <summary>
/// Kestrel's request limits, set deliberately rather than left to defaults (a chat server needs small headers
/// and no large bodies), and the WebSocket keep-alive that reaps dead raw peers. <c>Kestrel:Limits:*</c> in
/// configuration still overrides each of them.
/// </summary>
internal static class TransportLimits
{
    public static void Configure(WebApplicationBuilder builder, LimitsOptions limits)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
        });

        // After SignalR's own (it turns this keep-alive off when it is added): see HubExtensions.RequireChatterHub.
        builder.Services.Configure<WebSocketOptions>(webSockets =>
        {
            // Ping every KeepAliveSeconds; no pong within KeepAliveTimeoutSeconds aborts the socket.
            webSockets.KeepAliveInterval = TimeSpan.FromSeconds(limits.KeepAliveSeconds);
            webSockets.KeepAliveTimeout = limits.KeepAliveSeconds > 0 && limits.KeepAliveTimeoutSeconds > 0
                ? TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds)
                : Timeout.InfiniteTimeSpan;
        });
    }
}
