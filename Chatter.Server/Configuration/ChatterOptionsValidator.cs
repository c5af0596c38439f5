using Microsoft.Extensions.Options;

namespace Chatter.Server.Configuration;

/// <summary>Checks <see cref="ChatterOptions"/> at start and names each bad value by its configuration key (<c>Chatter:MaxFrameBytes</c>).</summary>
public sealed class ChatterOptionsValidator() : ConfigurationKeyValidator<ChatterOptions>(new GeneratedChatterOptionsValidator(), ChatterOptions.Section);

/// <summary>The checks of <see cref="ChatterOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedChatterOptionsValidator : IValidateOptions<ChatterOptions>;
