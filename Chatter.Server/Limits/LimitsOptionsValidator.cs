using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Limits;

/// <summary>Checks <see cref="LimitsOptions"/> at start, naming each bad value by its key (<c>Chatter:Limits:MessagesPerSecond</c>).</summary>
public sealed class LimitsOptionsValidator() : ConfigurationKeyValidator<LimitsOptions>(new GeneratedLimitsOptionsValidator(), LimitsOptions.Section);

/// <summary>The checks of <see cref="LimitsOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedLimitsOptionsValidator : IValidateOptions<LimitsOptions>;
