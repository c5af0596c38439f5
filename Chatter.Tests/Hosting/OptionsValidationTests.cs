using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Chatter.Tests.Hosting;

/// <summary>Options are checked at start: a bad value stops the server and the error names the key to fix.</summary>
[CancelAfter(60_000)]
public class OptionsValidationTests
{
    [TestCase("Chatter:AuthTimeoutSeconds", "0")]
    [TestCase("Chatter:AuthTimeoutSeconds", "3601")]
    [TestCase("Chatter:MaxMessageChars", "0")]
    [TestCase("Chatter:MaxFrameBytes", "1023")]
    [TestCase("Chatter:History:ReplayLimit", "-1")]
    [TestCase("Chatter:History:Store", "bogus")]
    [TestCase("Chatter:Token:LifetimeMinutes", "0")]
    [TestCase("Chatter:Limits:OutboundBufferMessages", "-1")]
    [TestCase("Chatter:Limits:MessagesPerSecond", "-1")]
    [TestCase("Chatter:Limits:FailedLoginsPerMinute", "-5")]
    [TestCase("Chatter:SignalR:StatefulReconnectBufferBytes", "1023")]
    [TestCase("Chatter:SignalR:StatefulReconnectBufferBytes", "67108865")]
    public async Task InvalidValueStopsTheStartNamingTheKey(string key, string value, CancellationToken ct)
    {
        var directory = NewDirectory();
        try
        {
            await Assert.ThatAsync(
                () => ChatterServer.StartAsync(new Dictionary<string, string?> { [key] = value }, directory: directory).WaitAsync(ct),
                Throws.TypeOf<OptionsValidationException>().With.Message.Contain(key));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase("Chatter:AuthTimeoutSeconds", "1")]
    [TestCase("Chatter:AuthTimeoutSeconds", "3600")]
    [TestCase("Chatter:History:ReplayLimit", "0")]
    [TestCase("Chatter:MaxFrameBytes", "1024")]
    [TestCase("Chatter:SignalR:StatefulReconnectBufferBytes", "1024")]
    [TestCase("Chatter:SignalR:StatefulReconnectBufferBytes", "67108864")]
    public async Task BoundaryValueIsAccepted(string key, string value, CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(new Dictionary<string, string?> { [key] = value });

        using var health = await server.Http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);

        Assert.That(health.IsSuccessStatusCode, Is.True);
    }

    private static string NewDirectory()
        => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chatter-tests", Guid.NewGuid().ToString("N"))).FullName;
}
