using System.Collections.Concurrent;
using System.Text.Json;
using Chatter.Protocol.Frames;

namespace Chatter.Tests.Hardening;

/// <summary>What a run tried and what went wrong, shared by the concurrent workers.</summary>
internal sealed class FuzzRun(int seed)
{
    private readonly ConcurrentQueue<string> failures = new();
    private readonly ConcurrentDictionary<string, int> kinds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(long Id, string Thread, string Message)> stored = new();
    private int cases;

    public int Cases => cases;

    public IReadOnlyCollection<string> Failures => failures;

    public IReadOnlyDictionary<string, int> Kinds => kinds;

    public IEnumerable<(long Id, string Thread, string Message)> StoredMessages => stored;

    public int StoredCount => stored.Count;

    public void Count(FuzzCase fuzz, string prefix = "")
    {
        Interlocked.Increment(ref cases);
        kinds.AddOrUpdate(prefix + fuzz.Kind, 1, (_, n) => n + 1);
    }

    public void Fail(FuzzCase fuzz, string what)
    {
        if (failures.Count < 20)
        {
            failures.Enqueue($"{fuzz}: {what} (seed {seed})");
        }
    }

    public void Stored((string Thread, string Message) message, long id) => stored.Enqueue((id, message.Thread, message.Message));

    /// <summary>A raw answer: an error (with the case's ref, or none) or an ack of the case's ref.</summary>
    public void Check(FuzzCase fuzz, JsonElement answer)
    {
        var hasRef = answer.TryGetProperty("ref", out var reference);
        switch (fuzz.Outcome)
        {
            case FuzzOutcome.Error when !answer.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String:
                Fail(fuzz, $"expected an error, got {answer}");
                break;
            case FuzzOutcome.Error when fuzz.Ref is null ? hasRef : !hasRef || reference.GetString() != fuzz.Ref:
                Fail(fuzz, $"expected an error with ref {fuzz.Ref ?? "(none)"}, got {answer}");
                break;
            case FuzzOutcome.Error when fuzz.Kind == "truncated JSON" && answer.GetProperty("error").GetString() != FrameError.InvalidJson:
                Fail(fuzz, $"expected \"{FrameError.InvalidJson}\", got {answer}");
                break;
            case FuzzOutcome.Stored when !answer.TryGetProperty("ack", out var ack) || ack.GetString() != fuzz.Ref:
                Fail(fuzz, $"expected ack {fuzz.Ref}, got {answer}");
                break;
            case FuzzOutcome.Stored:
                Stored(fuzz.Stored!.Value, answer.GetProperty("id").GetInt64());
                break;
        }
    }

    /// <summary>A hub completion: an error, or a result (for a stored message, the message as sent).</summary>
    public void CheckCompletion(FuzzCase fuzz, JsonElement completion)
    {
        var isError = completion.TryGetProperty("error", out _);
        var hasResult = completion.TryGetProperty("result", out var result);
        switch (fuzz.Outcome)
        {
            case FuzzOutcome.Error when !isError:
            case FuzzOutcome.Result when !hasResult || result.ValueKind != JsonValueKind.Array:
                Fail(fuzz, $"expected {fuzz.Outcome}, got {completion}");
                break;
            case FuzzOutcome.Stored when !hasResult || result.GetProperty("thread").GetString() != fuzz.Stored!.Value.Thread || result.GetProperty("message").GetString() != fuzz.Stored!.Value.Message:
                Fail(fuzz, $"expected the stored message, got {completion}");
                break;
            case FuzzOutcome.Stored:
                Stored(fuzz.Stored!.Value, result.GetProperty("id").GetInt64());
                break;
        }
    }
}
