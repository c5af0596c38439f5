using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Operations;

/// <summary>
/// The text log format escapes control characters in every user-supplied value (REVIEW L5): a thread, a message or a
/// refused frame's text with a newline cannot start a log line of its own. Checked on a real child process's console.
/// </summary>
[CancelAfter(90_000)]
public class LogForgingTests
{
    private const string Forged = "\n[12:00:00 ERR] forged";

    [Test]
    public async Task UserTextWithANewlineCannotForgeALineOfTheTextLog(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("chatter-forge-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "users.json"), """{"test1": "pass1"}""", ct);
            await using var server = await ChatterProcess.StartAsync(directory.FullName, ct, "--Chatter:Logging:Format=text");
            await using (var client = await server.LoginRawAsync("test1", "pass1", cancellationToken: ct))
            {
                // Stored (the thread is logged), then refused (an over-long thread: its reason is logged), then a stored marker.
                await client.SendAndAckAsync("t" + Forged, "hello", "1", ct);
                await client.SendChatAsync(new string('x', 70) + Forged, "hello", "2", ct);
                await client.ReceiveErrorAsync(ct);
                await client.SendAndAckAsync("end-marker", "bye", "3", ct);
            }

            await server.WaitForOutputLineAsync(line => line.Contains("end-marker", StringComparison.Ordinal), ct);
            Assert.Multiple(() =>
            {
                Assert.That(server.OutputLines.Where(line => line.StartsWith("[12:00:00 ERR] forged", StringComparison.Ordinal)), Is.Empty, "a forged line");
                Assert.That(server.Output, Does.Contain("\\n[12:00:00 ERR] forged"), "the text is logged, escaped");
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
