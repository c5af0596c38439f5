namespace Chatter.Server.Configuration;

/// <summary>Reading a section while the services are registered, for the choices made then (which store, whether Redis is used).</summary>
public static class ConfigurationSections
{
    /// <summary><paramref name="section"/> bound to <typeparamref name="TOptions"/>, or its defaults when the section is absent.</summary>
    public static TOptions Read<TOptions>(this IConfiguration configuration, string section)
        where TOptions : new()
        => configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
}
