using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Delivery;

/// <summary>Checks <see cref="DeliveryOptions"/> at start, naming each bad value by its key (<c>Chatter:Limits:OutboundBufferMessages</c>).</summary>
public sealed class DeliveryOptionsValidator() : ConfigurationKeyValidator<DeliveryOptions>(new GeneratedDeliveryOptionsValidator(), DeliveryOptions.Section);

/// <summary>The checks of <see cref="DeliveryOptions"/>' attributes, source-generated.</summary>
[OptionsValidator]
internal sealed partial class GeneratedDeliveryOptionsValidator : IValidateOptions<DeliveryOptions>;
