using System.Text.Json;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Operations;

/// <summary>
/// <c>Chatter:Logging:Format=json</c>: the real console output is Serilog compact JSON, one event a line; hub events
/// carry the connection id, user and transport, and the request id links them to the HTTP request that carries the
/// connection.
/// </summary>
[CancelAfter(90_000)]
public class LogFormatTests
{
    [Test]
    public async Task JsonLogsAreOneEventALineAndLinkTheRequestToTheHubEvents(CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("chatter-jsonlog-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "users.json"), """{"test1": "pass1", "test2": "pass2"}""", ct);
            await using var server = await ChatterProcess.StartAsync(directory.FullName, ct, "--Chatter:Logging:Format=json");
            await using (var a = await RawChatClient.ConnectAsync(server.WsUri, ct))
            {
                await a.LoginAsync("test1", "pass1", cancellationToken: ct);
                Assert.That(await a.ReceiveTextAsync(ct), Is.EqualTo("{\"auth\": \"ok\"}"));
                await a.SendAndAckAsync("t", "hello", "1", ct);
            }

            var stored = Parse(await server.WaitForOutputLineAsync(line => EventId(line) == 202, ct));
            var disconnected = Parse(await server.WaitForOutputLineAsync(line => EventId(line) == 201, ct));
            var request = Parse(await server.WaitForOutputLineAsync(line => line.Contains("\"RequestPath\":\"/ws/chat\"", StringComparison.Ordinal) && line.Contains("responded", StringComparison.Ordinal), ct));

            // Every line so far is one JSON object with a timestamp and a message template.
            Assert.That(server.OutputLines, Is.Not.Empty);
            Assert.Multiple(() =>
            {
                foreach (var line in server.OutputLines)
                {
                    var root = Parse(line);
                    Assert.That(root.TryGetProperty("@t", out _) && root.TryGetProperty("@mt", out _), Is.True, line);
                }
            });

            var login = server.OutputLines.Select(Parse).Single(e => EventIdOf(e) == 110);
            Assert.Multiple(() =>
            {
                Assert.That(stored.GetProperty("ConnectionId").GetString(), Is.Not.Empty);
                Assert.That(stored.GetProperty("User").GetString(), Is.EqualTo("test1"));
                Assert.That(stored.GetProperty("Transport").GetString(), Is.EqualTo("raw"));
                Assert.That(disconnected.GetProperty("ConnectionId").GetString(), Is.EqualTo(stored.GetProperty("ConnectionId").GetString()));
                var requestId = request.GetProperty("RequestId").GetString();
                Assert.That(requestId, Is.Not.Empty);
                Assert.That(login.GetProperty("RequestId").GetString(), Is.EqualTo(requestId), "login ↔ request");
                Assert.That(stored.GetProperty("RequestId").GetString(), Is.EqualTo(requestId), "hub event ↔ request");
                Assert.That(login.TryGetProperty("@l", out var level) ? level.GetString() : "Information", Is.EqualTo("Information"));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement.Clone();

    private static int? EventId(string line)
    {
        try
        {
            return EventIdOf(Parse(line));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? EventIdOf(JsonElement e)
        => e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Id", out var value) ? value.GetInt32() : null;
}
