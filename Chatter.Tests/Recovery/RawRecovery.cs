using System.Text.Json;
using Chatter.Tests.Infrastructure;

namespace Chatter.Tests.Recovery;

/// <summary>What a v2 raw client sees at login: the replay, then the recovery answer, then its user's read markers.</summary>
public sealed record RawRecoveryAnswer(IReadOnlyList<RawChatMessage> Replay, bool Recovered, long UpTo, string Epoch)
{
    /// <summary>The <c>{"reads": {...}}</c> frame after the answer: thread → id.</summary>
    public IReadOnlyDictionary<string, long> Reads { get; init; } = new Dictionary<string, long>();
}

/// <summary>Logs raw clients in with <c>"v": 2</c> and reads what the recovery issue adds.</summary>
public static class RawRecovery
{
    /// <summary>Logs in with <c>"v": 2</c> (and <paramref name="since"/>, <paramref name="epoch"/> when given); reads the replay and the recovery answer.</summary>
    public static async Task<(RawChatClient Client, RawRecoveryAnswer Answer)> LoginV2Async(
        this ChatterServer server, string user, long? since = null, string? epoch = null, CancellationToken cancellationToken = default)
    {
        var client = await server.ConnectRawAsync(cancellationToken);
        await client.SendJsonAsync(new { username = user, password = ChatterServer.DefaultUsers[user], since, v = 2, epoch }, cancellationToken);
        Assert.That(await client.ReceiveTextAsync(cancellationToken), Is.EqualTo("{\"auth\": \"ok\"}"), "login reply");
        var answer = await client.ReceiveRecoveryAsync(cancellationToken);
        var text = await client.ReceiveTextAsync(cancellationToken);
        using var markers = JsonDocument.Parse(text);
        Assert.That(markers.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "reads" }), $"the read markers after the recovery answer: {text}");
        return (client, answer with { Reads = markers.RootElement.GetProperty("reads").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()) });
    }

    /// <summary>
    /// Logs <paramref name="user"/> in with <c>"v": 2</c> from the start (the replay must be <paramref name="ids"/>, answered
    /// recovered up to the last), then again since the first with that epoch (the rest, recovered up to the same id);
    /// returns the second connection, open.
    /// </summary>
    public static async Task<RawChatClient> AssertLoginAndResumeAsync(this ChatterServer server, string user, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var (first, answer) = await server.LoginV2Async(user, cancellationToken: cancellationToken);
        await using var _ = first;
        Assert.That(answer.Replay.Select(m => m.Id), Is.EqualTo(ids));
        Assert.That((answer.Recovered, answer.UpTo), Is.EqualTo((true, ids[^1])));
        Assert.That(answer.Epoch, Is.Not.Empty);

        var (again, resumed) = await server.LoginV2Async(user, since: ids[0], epoch: answer.Epoch, cancellationToken: cancellationToken);
        Assert.That(resumed.Replay.Select(m => m.Id), Is.EqualTo(ids.Skip(1)));
        Assert.That((resumed.Recovered, resumed.UpTo, resumed.Epoch), Is.EqualTo((true, ids[^1], answer.Epoch)));
        return again;
    }

    /// <summary>Reads messages until the recovery answer, which must come next and in its exact shape.</summary>
    public static async Task<RawRecoveryAnswer> ReceiveRecoveryAsync(this RawChatClient client, CancellationToken cancellationToken = default)
    {
        var replay = new List<RawChatMessage>();
        while (true)
        {
            var text = await client.ReceiveTextAsync(cancellationToken);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.TryGetProperty("recovered", out var recovered))
            {
                Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "recovered", "upTo", "epoch" }), text);
                return new RawRecoveryAnswer(replay, recovered.GetBoolean(), root.GetProperty("upTo").GetInt64(), root.GetProperty("epoch").GetString()!);
            }

            replay.Add(RawChatMessage.Parse(text));
        }
    }

    /// <summary>Reads the next frame, which must be a checkpoint <c>{"upTo": N}</c>; answers N.</summary>
    public static async Task<long> ReceiveCheckpointAsync(this RawChatClient client, CancellationToken cancellationToken = default)
    {
        var text = await client.ReceiveTextAsync(cancellationToken);
        using var document = JsonDocument.Parse(text);
        Assert.That(document.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "upTo" }), $"a checkpoint: {text}");
        return document.RootElement.GetProperty("upTo").GetInt64();
    }
}
