using System.Text.Json;
using Chatter.Server.Delivery;
using Chatter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Chatter.Tests.Conversations;

/// <summary>The edit and delete frames of a raw client, sent and read in their contract shapes.</summary>
public static class EditFrames
{
    /// <summary>The properties of an edited message, in order: a message's, then <c>editedTs</c>.</summary>
    public static readonly IReadOnlyList<string> EditedPropertyNames = [.. RawChatMessage.PropertyNames, "editedTs"];

    /// <summary>
    /// Checkpoints on a clock that never moves: v2 connections then get no <c>{"upTo"}</c> frame between the frames a
    /// test reads one after another (checkpoints are not what these tests are about).
    /// </summary>
    public static void WithoutCheckpoints(IServiceCollection services) => services.AddSingleton(new Checkpoints(new FakeTimeProvider()));

    public static Task SendEditAsync(this RawChatClient client, long id, string message, string? reference, CancellationToken cancellationToken)
        => reference is null
            ? client.SendJsonAsync(new { edit = id, message }, cancellationToken)
            : client.SendJsonAsync(new { edit = id, message, @ref = reference }, cancellationToken);

    public static Task SendDeleteAsync(this RawChatClient client, long id, string? reference, CancellationToken cancellationToken)
        => reference is null
            ? client.SendJsonAsync(new { delete = id }, cancellationToken)
            : client.SendJsonAsync(new { delete = id, @ref = reference }, cancellationToken);

    /// <summary>
    /// The next frame, which must be <c>{"ref","edited":{...}}</c> (an answer) or <c>{"edited":{...}}</c> (a notice, or
    /// the answer to an edit without a ref): the ref, and the message with its <c>editedTs</c>.
    /// </summary>
    public static async Task<(string? Ref, RawChatMessage Message, string EditedTs)> ReceiveEditedAsync(this RawChatClient client, CancellationToken cancellationToken)
    {
        var text = await client.ReceiveTextAsync(cancellationToken);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var reference = root.TryGetProperty("ref", out var r) ? r.GetString() : null;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(reference is null ? new[] { "edited" } : ["ref", "edited"]), text);
        var edited = root.GetProperty("edited");
        Assert.That(edited.EnumerateObject().Select(p => p.Name), Is.EqualTo(EditedPropertyNames), text);
        var editedTs = edited.GetProperty("editedTs").GetString()!;
        Assert.That(editedTs, Does.Match(RawChatMessage.TimestampPattern), text);
        var message = new RawChatMessage(
            edited.GetProperty("thread").GetString()!, edited.GetProperty("message").GetString()!, edited.GetProperty("from").GetString()!,
            edited.GetProperty("sender").GetString()!, edited.GetProperty("id").GetInt64(), edited.GetProperty("ts").GetString()!);
        return (reference, message, editedTs);
    }

    /// <summary>The next frame, which must be <c>{"ref","deleted","thread"}</c> or <c>{"deleted","thread"}</c>: the ref, the id and the thread.</summary>
    public static async Task<(string? Ref, long Id, string Thread)> ReceiveDeletedAsync(this RawChatClient client, CancellationToken cancellationToken)
    {
        var text = await client.ReceiveTextAsync(cancellationToken);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var reference = root.TryGetProperty("ref", out var r) ? r.GetString() : null;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(reference is null ? new[] { "deleted", "thread" } : ["ref", "deleted", "thread"]), text);
        return (reference, root.GetProperty("deleted").GetInt64(), root.GetProperty("thread").GetString()!);
    }
}
