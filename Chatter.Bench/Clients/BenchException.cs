namespace Chatter.Bench.Clients;

/// <summary>A run cannot go on (a login refused, a client that never joined the broadcast): the message says why.</summary>
internal sealed class BenchException(string message) : Exception(message);
