using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Configuration;

/// <summary>Registers Chatter's own settings (<see cref="ChatterOptions"/>) and what every component shares: the clock, the drain time.</summary>
public static class ChatterOptionsExtensions
{
    /// <summary>Binds and validates <c>Chatter</c>, registers the system clock, and gives the host <c>Chatter:ShutdownDrainSeconds</c> to stop in.</summary>
    public static WebApplicationBuilder AddChatterOptions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configured = builder.Configuration.Read<ChatterOptions>(ChatterOptions.Section);
        services.AddOptions<ChatterOptions>().BindConfiguration(ChatterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatterOptions>, ChatterOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        // SIGTERM / Ctrl-C: connections close and accepted messages finish storing within the drain time.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(configured.ShutdownDrainSeconds));
        return builder;
    }
}
