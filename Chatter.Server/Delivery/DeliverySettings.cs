namespace Chatter.Server.Delivery;

/// <summary>The bounds of each connection's <see cref="Outbox"/>.</summary>
public sealed record DeliverySettings(int MaxMessages, long MaxBytes);
