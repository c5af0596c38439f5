namespace Chatter.Server.History;

/// <summary>A store refused a message or a query; the message was not stored.</summary>
public sealed class ChatHistoryException(string message, Exception? inner = null) : Exception(message, inner);
