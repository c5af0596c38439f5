using System.Collections.Concurrent;

namespace Chatter.Server.Diagnostics;

/// <summary>
/// One logger per category, as Microsoft.Extensions.Logging's own <c>LoggerFactory</c> keeps. Serilog's factory makes a
/// new logger for every <see cref="CreateLogger"/> (a Serilog logger with its own <c>SourceContext</c> enricher and
/// event-id cache, about 600 bytes), and SignalR asks for one with every hub connection and the authentication
/// handler with every request: without the cache an idle connection holds two to four of them.
/// </summary>
internal sealed class CachingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName)
        => loggers.GetOrAdd(categoryName, static (category, factory) => factory.CreateLogger(category), inner);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
