using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Delivery;

/// <summary>
/// A reader that stops reading keeps its socket full and its writer loop waiting on a send: once a send has taken
/// longer than <c>SendTimeoutSeconds</c> (on the server's clock, here a fake one), that connection alone is aborted.
/// </summary>
[CancelAfter(120_000)]
public class SendTimeoutTests
{
    private const int TimeoutSeconds = 20;

    [Test]
    public async Task ASendThatDoesNotCompleteInTimeAbortsThatConnectionOnly(CancellationToken ct)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var users = new Dictionary<string, string> { ["stalled0"] = TestUsers.PasswordOf("stalled0"), ["sender"] = TestUsers.PasswordOf("sender"), ["reader"] = TestUsers.PasswordOf("reader") };
        await using var server = await StalledReaders.StartServerAsync(
            new Dictionary<string, string?>
            {
                ["Chatter:Limits:SendTimeoutSeconds"] = $"{TimeoutSeconds}",
                ["Chatter:Limits:OutboundBufferMessages"] = "100000",
            },
            users,
            services => services.AddSingleton<TimeProvider>(clock));
        var stalled = (await StalledReaders.LoginAsync(server, "stalled", 1, ct))[0];
        await using var reader = await server.LoginRawAsync("reader", TestUsers.PasswordOf("reader"), cancellationToken: ct);
        await using var sender = await server.LoginRawAsync("sender", TestUsers.PasswordOf("sender"), cancellationToken: ct);
        var text = new string('x', 1_000);

        // Flood until the stalled reader's send waits; only then does the clock move past the timeout. A send that
        // is stuck is found within a quarter of the timeout after it passed.
        var sent = 0;
        while (!server.Logs.WithEventId(303).Any())
        {
            for (var i = 0; i < 50; i++, sent++)
            {
                await sender.SendAndAckAsync("flood", text, $"{sent}", ct);
                Assert.That((await reader.ReceiveMessageAsync(ct)).Message, Is.EqualTo(text));
            }

            clock.Advance(TimeSpan.FromSeconds(TimeoutSeconds / 4.0));
            Assert.That(sent, Is.LessThan(20_000), "the stalled reader's send never timed out");
        }

        var timedOut = server.Logs.WithEventId(303).Single();
        Assert.That(LogCapture.Property(timedOut, "User"), Is.EqualTo("stalled0"));
        Assert.That(server.Logs.WithEventId(300).Concat(server.Logs.WithEventId(304)), Is.Empty, "closed for its stuck send, not its queue");
        Assert.That(await stalled.DrainUntilEndedAsync(TimeSpan.FromSeconds(30), ct), Is.True, "its socket was aborted");
        await stalled.DisposeAsync();
        Assert.That((await sender.SendAndAckAsync("flood", "after", "after", ct)).Ref, Is.EqualTo("after"), "the others go on");
        Assert.That((await reader.ReceiveMessageAsync(ct)).Message, Is.EqualTo("after"));
    }
}
