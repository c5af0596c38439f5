using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Hubs;

/// <summary>Checks <see cref="SignalROptions"/> at start, naming each bad value by its key (<c>Chatter:SignalR:StatefulReconnectBufferBytes</c>).</summary>
public sealed class SignalROptionsValidator() : ConfigurationKeyValidator<SignalROptions>(new GeneratedSignalROptionsValidator(), SignalROptions.Section);

/// <summary>The checks of <see cref="SignalROptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedSignalROptionsValidator : IValidateOptions<SignalROptions>;
