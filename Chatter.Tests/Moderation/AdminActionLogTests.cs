using Chatter.Server.Diagnostics;
using Chatter.Tests.Infrastructure;
using Serilog.Events;

namespace Chatter.Tests.Moderation;

/// <summary>Every admin action, done or refused, is one structured event with who, what and the target; its text stays one line.</summary>
[CancelAfter(60_000)]
public class AdminActionLogTests
{
    [Test]
    public async Task EveryKickDoneOrRefusedIsAStructuredEventWithWhoWhatAndTheTarget(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(Kicked.AliceIsAdmin());
        await using var alice = await server.LoginRawAsync("alice", cancellationToken: ct);
        await using var carol = await server.LoginRawAsync("carol", cancellationToken: ct);

        await alice.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k1\"}", ct);
        await alice.ReceiveJsonAsync(ct);
        await carol.SendTextAsync("{\"kick\": \"bob\", \"ref\": \"k2\"}", ct);
        await carol.ReceiveJsonAsync(ct);
        // A name that is not a user is not logged (it may be anything, a password typed in the wrong field included).
        await alice.SendTextAsync("{\"kick\": \"nobody\\nINFO forged line\", \"ref\": \"k3\"}", ct);
        await alice.ReceiveJsonAsync(ct);

        var done = await server.Logs.WaitForEventAsync(800, cancellationToken: ct);
        Assert.That(Properties(done), Is.EqualTo(("kick", "alice", "bob", "raw")));
        Assert.That(done.Level, Is.EqualTo(LogEventLevel.Warning));
        var refused = server.Logs.WithEventId(801).ToList();
        Assert.That(refused.Select(Properties), Is.EqualTo(new[] { ("kick", "carol", "bob", "raw"), ("kick", "alice", (string?)null, "raw") }));
        Assert.That(refused.Select(e => LogCapture.Property(e, "Reason")), Is.EqualTo(new[] { "not allowed", "unknown user" }));

        // The console's text layout writes each on one line.
        var formatter = new EscapingTextFormatter("{Message:lj}{NewLine}", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var e in refused.Prepend(done))
        {
            using var text = new StringWriter();
            formatter.Format(e, text);
            Assert.That(text.ToString().TrimEnd('\r', '\n'), Does.Not.Contain('\n').And.Not.Contain("forged"));
        }
    }

    private static (string?, string?, string?, string?) Properties(LogEvent e)
        => (LogCapture.Property(e, "Action"), LogCapture.Property(e, "Admin"), LogCapture.Property(e, "Target"), LogCapture.Property(e, "Transport"));
}
