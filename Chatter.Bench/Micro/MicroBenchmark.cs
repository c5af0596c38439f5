using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Chatter.Protocol;
using Chatter.Server.RawWebSocket;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chatter.Bench.Micro;

/// <summary>
/// <c>micro [--iterations 1000000]</c>: time and allocated bytes per operation of the broadcast path's pieces, on one
/// thread, through their public surface (the MemoryDiagnoser figure without BenchmarkDotNet:
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around N calls after a warm-up). Per message: the raw frame
/// written once (<see cref="FrameWriter"/>, <see cref="RawHubProtocol"/>, SignalR's <see cref="SerializedHubMessage"/>
/// cache). Per recipient: <see cref="HubConnectionContext.WriteAsync(SerializedHubMessage, CancellationToken)"/> of the
/// cached bytes into the connection's pipe, drained as a send loop would.
/// </summary>
internal static class MicroBenchmark
{
    public static int Run(int iterations)
    {
        var chat = new ChatMessage("bench", "a benchmark message of a typical length, about sixty chars", "load0001", 123_456, DateTimeOffset.UtcNow);
        var invocation = new InvocationMessage("ReceiveMessage", [chat]);
        var protocol = new RawHubProtocol();
        var buffer = new ArrayBufferWriter<byte>(1024);

        var (connection, drain) = CreateConnection(protocol);
        var serialized = new SerializedHubMessage(invocation);
        serialized.GetSerializedMessage(protocol);

        Console.WriteLine($"{"operation (one thread)",-58} {"ns/op",10} {"B/op",8}");
        Report("per message: FrameWriter.WriteMessage (reused buffer)", iterations, () =>
        {
            buffer.ResetWrittenCount();
            FrameWriter.WriteMessage(chat, buffer);
        });
        Report("per message: RawHubProtocol.GetMessageBytes", iterations, () => protocol.GetMessageBytes(invocation));
        Report("per message: SerializedHubMessage + raw bytes (the hub's)", iterations, () => new SerializedHubMessage(invocation).GetSerializedMessage(protocol));
        Report("per recipient: HubConnectionContext.WriteAsync + drain", iterations, () =>
        {
            var write = connection.WriteAsync(serialized);
            if (!write.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("the pipe applied backpressure: it is drained after every write");
            }

            drain();
        });
        return 0;
    }

    private static void Report(string name, int iterations, Action operation)
    {
        // Long enough for tiered compilation to reach its optimized code before the measured calls.
        for (var i = 0; i < Math.Min(iterations, 200_000); i++)
        {
            operation();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            operation();
        }

        watch.Stop();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
        Console.WriteLine($"{name,-58} {watch.Elapsed.TotalNanoseconds / iterations,10:F1} {bytes,8:F1}");
    }

    private static (HubConnectionContext Connection, Action Drain) CreateConnection(RawHubProtocol protocol)
    {
        var output = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var input = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var context = new DefaultConnectionContext("micro", new DuplexPipe(input.Reader, output.Writer), new DuplexPipe(output.Reader, input.Writer));
        var connection = new HubConnectionContext(context, new HubConnectionContextOptions(), NullLoggerFactory.Instance) { Protocol = protocol };
        return (connection, () =>
        {
            if (output.Reader.TryRead(out var read))
            {
                output.Reader.AdvanceTo(read.Buffer.End);
            }
        });
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
