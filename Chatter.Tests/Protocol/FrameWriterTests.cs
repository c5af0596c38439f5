using System.Buffers;
using System.Text;
using System.Text.Json;
using Chatter.Protocol;

namespace Chatter.Tests.Protocol;

public class FrameWriterTests
{
    private static readonly DateTimeOffset ContractTime = new(2026, 11, 23, 23, 20, 15, 123, TimeSpan.Zero);

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Test]
    public void AuthOkIsTheOriginalsBytes()
        => Assert.That(FrameWriter.AuthOk.ToArray(), Is.EqualTo("{\"auth\": \"ok\"}"u8.ToArray()));

    [Test]
    public void InvalidCredentialsIsTheOriginalsBytes()
        => Assert.That(FrameWriter.InvalidCredentials.ToArray(), Is.EqualTo("{\"error\": \"invalid credentials\"}"u8.ToArray()));

    [Test]
    public void MessageIsWrittenAsTheContractsExample()
    {
        var message = new ChatMessage("test1", "Hello World!", "test1", 17, ContractTime);
        Assert.That(
            Write(output => FrameWriter.WriteMessage(message, output)),
            Is.EqualTo("{\"thread\":\"test1\",\"message\":\"Hello World!\",\"from\":\"test1\",\"sender\":\"test1\",\"id\":17,\"ts\":\"2026-11-23T23:20:15.123Z\"}"));
    }

    [Test]
    public void AckCarriesRefIdAndTimestamp()
    {
        var message = new ChatMessage("t", "m", "test1", 17, ContractTime);
        Assert.That(Write(output => FrameWriter.WriteAck("r1", message, output)), Is.EqualTo("{\"ack\":\"r1\",\"id\":17,\"ts\":\"2026-11-23T23:20:15.123Z\"}"));
    }

    [Test]
    public void ErrorWithoutRefHasOnlyTheReason()
        => Assert.That(Write(output => FrameWriter.WriteError("thread is required", null, output)), Is.EqualTo("{\"error\":\"thread is required\"}"));

    [Test]
    public void ErrorWithRefEchoesIt()
        => Assert.That(Write(output => FrameWriter.WriteError("thread is required", "r1", output)), Is.EqualTo("{\"error\":\"thread is required\",\"ref\":\"r1\"}"));

    [Test]
    public void TimestampIsConvertedToUtc()
    {
        var message = new ChatMessage("t", "m", "u", 1, new DateTimeOffset(2026, 1, 2, 1, 30, 0, 5, TimeSpan.FromHours(2)));
        Assert.That(JsonDocument.Parse(Write(output => FrameWriter.WriteMessage(message, output))).RootElement.GetProperty("ts").GetString(), Is.EqualTo("2026-01-01T23:30:00.005Z"));
    }

    [Test]
    public void TimestampHasExactlyThreeFractionDigitsEvenWhenZero()
    {
        var message = new ChatMessage("t", "m", "u", 1, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Assert.That(JsonDocument.Parse(Write(output => FrameWriter.WriteMessage(message, output))).RootElement.GetProperty("ts").GetString(), Is.EqualTo("2026-01-02T03:04:05.000Z"));
    }

    [Test]
    public void TimestampBelowAMillisecondIsNotWritten()
    {
        var message = new ChatMessage("t", "m", "u", 1, ContractTime.AddTicks(9_999));
        Assert.That(JsonDocument.Parse(Write(output => FrameWriter.WriteMessage(message, output))).RootElement.GetProperty("ts").GetString(), Is.EqualTo("2026-11-23T23:20:15.123Z"));
    }

    [Test]
    public void AnyTextRoundTripsAndNoFrameContainsTheRecordSeparator()
    {
        const string text = "quote \" backslash \\ newline \n tab \t rs \u001e nul \0 \u00e9 \u4e2d \U0001F600 </script>";
        var message = new ChatMessage(text, text, "u\u001e", 1, ContractTime);
        var buffer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMessage(message, buffer);
        FrameWriter.WriteAck(text, message, buffer);
        FrameWriter.WriteError(text, text, buffer);
        Assert.That(buffer.WrittenSpan.IndexOf((byte)0x1E), Is.EqualTo(-1));

        var root = JsonDocument.Parse(Write(output => FrameWriter.WriteMessage(message, output))).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("thread").GetString(), Is.EqualTo(text));
            Assert.That(root.GetProperty("message").GetString(), Is.EqualTo(text));
            Assert.That(root.GetProperty("from").GetString(), Is.EqualTo("u\u001e"));
        });
    }

    [Test]
    public void NonAsciiTextIsNotEscaped()
    {
        var message = new ChatMessage("t", "h\u00e9llo \u4e2d\u6587", "u", 1, ContractTime);
        Assert.That(Write(output => FrameWriter.WriteMessage(message, output)), Does.Contain("\"message\":\"h\u00e9llo \u4e2d\u6587\""));
    }

    [Test]
    public void ConsecutiveWritesToDifferentOutputsAreEachComplete()
    {
        var first = new ChatMessage("a", "one", "u", 1, ContractTime);
        var second = new ChatMessage("b", "two", "u", 2, ContractTime);
        var one = Write(output => FrameWriter.WriteMessage(first, output));
        var two = Write(output => FrameWriter.WriteMessage(second, output));
        Assert.Multiple(() =>
        {
            Assert.That(JsonDocument.Parse(one).RootElement.GetProperty("id").GetInt64(), Is.EqualTo(1));
            Assert.That(JsonDocument.Parse(two).RootElement.GetProperty("id").GetInt64(), Is.EqualTo(2));
            Assert.That(two, Does.StartWith("{\"thread\":\"b\""));
        });
    }

    [Test]
    public void WritesOnManyThreadsAtOnceDoNotMix()
    {
        var results = new string[64];
        Parallel.For(0, results.Length, i =>
        {
            for (var n = 0; n < 200; n++)
            {
                var message = new ChatMessage($"t{i}", $"m{i}-{n}", "u", (i * 1000) + n, ContractTime);
                results[i] = Write(output => FrameWriter.WriteMessage(message, output));
                var root = JsonDocument.Parse(results[i]).RootElement;
                if (root.GetProperty("message").GetString() != $"m{i}-{n}")
                {
                    throw new InvalidOperationException($"mixed frame {results[i]}");
                }
            }
        });
        Assert.That(results, Has.All.Not.Null);
    }
}
