using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.RawWebSocket;

/// <summary>One connection's frames are handled in the order sent, so every receiver gets one sender's messages in that order.</summary>
[CancelAfter(60_000)]
public class OrderingTests
{
    [Test]
    public async Task PipelinedMessagesOfOneSenderArriveInTheOrderSent(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);
        await using var b = await server.LoginRawAsync("test2", cancellationToken: ct);
        await using var c = await server.LoginRawAsync("test3", cancellationToken: ct);
        const int count = 300;

        for (var i = 0; i < count; i++)
        {
            // Across threads: the order is the connection's, not a thread's.
            await sender.SendChatAsync($"thread{i % 3}", $"m{i}", cancellationToken: ct);
        }

        foreach (var receiver in new[] { b, c })
        {
            var messages = new List<RawChatMessage>();
            for (var i = 0; i < count; i++)
            {
                messages.Add(await receiver.ReceiveMessageAsync(ct));
            }

            Assert.That(messages.Select(m => m.Message), Is.EqualTo(Enumerable.Range(0, count).Select(i => $"m{i}")));
            Assert.That(messages.Select(m => m.Id), Is.Ordered.Ascending.And.Unique);
        }
    }

    [Test]
    public async Task ValidAndInvalidFramesAreAnsweredInTheOrderSent(CancellationToken ct)
    {
        await using var server = await ChatterServer.StartAsync(ChatterServer.NoRateLimit);
        await using var sender = await server.LoginRawAsync("test1", cancellationToken: ct);

        for (var i = 0; i < 20; i++)
        {
            await sender.SendTextAsync(i % 2 == 0 ? $"{{\"thread\":\"t\",\"message\":\"m{i}\",\"ref\":\"r{i}\"}}" : $"{{\"message\":\"m{i}\",\"ref\":\"r{i}\"}}", ct);
        }

        var refs = new List<string?>();
        for (var i = 0; i < 20; i++)
        {
            var text = await sender.ReceiveTextAsync(ct);
            refs.Add(i % 2 == 0 ? RawAck.Parse(text).Ref : RawError.Parse(text).Ref);
        }

        Assert.That(refs, Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"r{i}")));
    }
}
