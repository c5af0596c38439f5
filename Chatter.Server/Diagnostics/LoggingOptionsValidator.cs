using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Diagnostics;

/// <summary>Checks <see cref="LoggingOptions"/> at start, naming a bad value by its key (<c>Chatter:Logging:Format</c>).</summary>
public sealed class LoggingOptionsValidator() : ConfigurationKeyValidator<LoggingOptions>(new GeneratedLoggingOptionsValidator(), LoggingOptions.Section);

/// <summary>The checks of <see cref="LoggingOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedLoggingOptionsValidator : IValidateOptions<LoggingOptions>;
