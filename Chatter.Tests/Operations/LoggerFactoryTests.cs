using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Events;

namespace Chatter.Tests.Operations;

/// <summary>
/// The host's logger factory makes one logger per category (Serilog's made one per call, and SignalR asks for one with
/// every connection), and the loggers it hands out still write through Serilog with their category.
/// </summary>
[CancelAfter(60_000)]
public class LoggerFactoryTests
{
    [Test]
    public async Task LoggerFactoryGivesOneLoggerPerCategoryThatStillWritesThroughSerilog(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync();
        var loggers = server.App.Services.GetRequiredService<ILoggerFactory>();

        var first = loggers.CreateLogger("Chatter.Tests.Category");
        Assert.That(loggers.CreateLogger("Chatter.Tests.Category"), Is.SameAs(first));
        Assert.That(loggers.CreateLogger("Chatter.Tests.Other"), Is.Not.SameAs(first));

        var marker = Guid.NewGuid().ToString("N");
        first.LogWarning("marker {Marker}", marker);
        var logged = await server.Logs.WaitForAsync(e => LogCapture.Property(e, "Marker") == marker, cancellationToken: ct);
        Assert.That(logged.Level, Is.EqualTo(LogEventLevel.Warning));
        Assert.That(LogCapture.Property(logged, "SourceContext"), Is.EqualTo("Chatter.Tests.Category"));
    }
}
