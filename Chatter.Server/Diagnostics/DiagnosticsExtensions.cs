using System.Globalization;
using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Formatting.Compact;

namespace Chatter.Server.Diagnostics;

/// <summary>Logs (Serilog, <c>Chatter:Logging</c>) and metrics (<c>Chatter:Metrics</c>): their registration, the request log and <c>/metrics</c>.</summary>
public static class DiagnosticsExtensions
{
    /// <summary>The console layout of <c>Chatter:Logging:Format=text</c>: time, level, message, then the event's properties.</summary>
    public const string TextLogTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>Serilog as the host's logger, in the configured format; Chatter's meters, exported when metrics are enabled.</summary>
    public static WebApplicationBuilder AddChatterDiagnostics(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var logging = builder.Configuration.Read<LoggingOptions>(LoggingOptions.Section);
        var metrics = builder.Configuration.Read<MetricsOptions>(MetricsOptions.Section);

        // preserveStaticLogger: each host (several run side by side in the tests) has its own logger.
        var logFormat = logging.Format;
        services.AddSerilog(
            (provider, logger) =>
            {
                logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(provider).Enrich.FromLogContext();
                _ = logFormat switch
                {
                    "json" => logger.WriteTo.Console(new CompactJsonFormatter()),
                    // Control characters in user-supplied values are escaped: no client text can forge a log line.
                    "text" => logger.WriteTo.Console(new EscapingTextFormatter(TextLogTemplate, CultureInfo.InvariantCulture)),
                    _ => logger,
                };
            },
            preserveStaticLogger: true);
        CacheLoggers(services);
        services.AddOptions<LoggingOptions>().BindConfiguration(LoggingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LoggingOptions>, LoggingOptionsValidator>();

        // One switch, nothing to validate (no source-generated validator: it has no checks to generate).
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddMetrics();
        services.AddSingleton<ChatterMetrics>();
        if (metrics.Enabled)
        {
            services.AddOpenTelemetry().WithMetrics(meters => meters
                .AddMeter(ChatterMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "System.Runtime")
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        }

        return builder;
    }

    /// <summary>One log event per request, written by this host's logger.</summary>
    public static WebApplication UseChatterRequestLogging(this WebApplication app)
    {
        // This host's logger, not the static one (which the tests' several hosts share and which is only the bootstrap logger).
        app.UseSerilogRequestLogging(requests => requests.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        return app;
    }

    /// <summary><c>/metrics</c> in Prometheus format, when <c>Chatter:Metrics:Enabled</c>; nothing otherwise.</summary>
    public static WebApplication MapChatterMetrics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        return app;
    }

    /// <summary>Wraps the logger factory that <c>AddSerilog</c> registered so that it makes one logger per category (<see cref="CachingLoggerFactory"/>).</summary>
    private static void CacheLoggers(IServiceCollection services)
    {
        var serilog = services.Last(service => service.ServiceType == typeof(ILoggerFactory));
        var create = serilog.ImplementationFactory ?? throw new InvalidOperationException("AddSerilog registers its logger factory through a factory method");
        services.Remove(serilog);
        services.AddSingleton<ILoggerFactory>(provider => new CachingLoggerFactory((ILoggerFactory)create(provider)));
    }
}
