namespace Chatter.Server.Hubs;

/// <summary>The shared presence cannot be read or written now (Redis unreachable).</summary>
public sealed class PresenceUnavailableException(string message, Exception inner) : Exception(message, inner);
