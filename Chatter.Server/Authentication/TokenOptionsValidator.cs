using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Authentication;

/// <summary>
/// Checks <see cref="TokenOptions"/>' attributes at start, naming each bad value by its key
/// (<c>Chatter:Token:LifetimeMinutes</c>); the signing key's own rules are <see cref="SigningKeyValidator"/>'s.
/// </summary>
public sealed class TokenOptionsValidator() : ConfigurationKeyValidator<TokenOptions>(new GeneratedTokenOptionsValidator(), TokenOptions.Section);

/// <summary>The checks of <see cref="TokenOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedTokenOptionsValidator : IValidateOptions<TokenOptions>;
