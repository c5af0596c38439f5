using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Moderation;

/// <summary>Checks <see cref="ModerationOptions"/> at start, naming each bad value by its key (<c>Chatter:KickMinutes</c>).</summary>
public sealed class ModerationOptionsValidator() : ConfigurationKeyValidator<ModerationOptions>(new GeneratedModerationOptionsValidator(), ModerationOptions.Section);

/// <summary>The checks of <see cref="ModerationOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedModerationOptionsValidator : IValidateOptions<ModerationOptions>;
