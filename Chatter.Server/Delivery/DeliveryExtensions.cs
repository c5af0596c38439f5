using Chatter.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Chatter.Server.Delivery;

/// <summary>Registers delivery's parts that belong to no hub (<c>Chatter:Limits</c>' delivery limits, <see cref="DeliveryOptions"/>).</summary>
public static class DeliveryExtensions
{
    /// <summary>
    /// The bounds of each connection's send queue, the node's outbound budget and the send timeout. The hub wraps its
    /// lifetime manager in <see cref="DeliveryLifetimeManager{THub}"/> so that every delivery goes through a connection's
    /// queue (<c>Hubs.HubExtensions</c>); the raw protocol supplies <see cref="IChatMessageIds"/>.
    /// </summary>
    public static WebApplicationBuilder AddChatterDelivery(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var delivery = builder.Configuration.Read<DeliveryOptions>(DeliveryOptions.Section);
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();

        services.AddSingleton<OutboxFactory>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<OutboundBudget>(provider, delivery.OutboundBudgetBytes));
        services.AddSingleton<SerializationCache>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<SendTimeouts>(provider, TimeSpan.FromSeconds(delivery.SendTimeoutSeconds)));
        services.AddHostedService(provider => provider.GetRequiredService<SendTimeouts>());
        services.AddSingleton<Checkpoints>();
        services.AddHostedService(provider => provider.GetRequiredService<Checkpoints>());
        return builder;
    }
}
