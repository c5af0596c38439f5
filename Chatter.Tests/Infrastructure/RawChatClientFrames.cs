namespace Chatter.Tests.Infrastructure;

/// <summary>Typed reads of a <see cref="RawChatClient"/>'s next frame, each asserting the frame's contract shape.</summary>
public static class RawChatClientFrames
{
    /// <summary>The next frame, which must be a chat message (not an ack, an error or a close).</summary>
    public static async Task<RawChatMessage> ReceiveMessageAsync(this RawChatClient client, CancellationToken cancellationToken = default)
        => RawChatMessage.Parse(await client.ReceiveTextAsync(cancellationToken));

    /// <summary>The next frame, which must be an ack.</summary>
    public static async Task<RawAck> ReceiveAckAsync(this RawChatClient client, CancellationToken cancellationToken = default)
        => RawAck.Parse(await client.ReceiveTextAsync(cancellationToken));

    /// <summary>The next frame, which must be an error.</summary>
    public static async Task<RawError> ReceiveErrorAsync(this RawChatClient client, CancellationToken cancellationToken = default)
        => RawError.Parse(await client.ReceiveTextAsync(cancellationToken));

    /// <summary>
    /// Sends a chat frame with <paramref name="reference"/> and reads its ack, which must be the next frame this
    /// client gets (so only for a client nobody else is sending to at the moment).
    /// </summary>
    public static async Task<RawAck> SendAndAckAsync(this RawChatClient client, string thread, string message, string reference, CancellationToken cancellationToken = default)
    {
        await client.SendChatAsync(thread, message, reference, cancellationToken);
        var ack = await client.ReceiveAckAsync(cancellationToken);
        Assert.That(ack.Ref, Is.EqualTo(reference), "the ack names the frame's ref");
        return ack;
    }

    /// <summary>
    /// Proves that a client has nothing more waiting: it sends a message with a fresh ref, and the next frame it
    /// gets must be that ack (every frame the server had queued for it before would arrive first).
    /// </summary>
    public static async Task AssertNothingBeforeOwnAckAsync(this RawChatClient client, string thread, CancellationToken cancellationToken = default)
    {
        var reference = $"probe-{Guid.NewGuid():N}";
        await client.SendChatAsync(thread, "probe", reference, cancellationToken);
        var text = await client.ReceiveTextAsync(cancellationToken);
        Assert.That(RawChatMessage.IsAck(text), Is.True, $"expected the probe's ack, got {text}");
        Assert.That(RawAck.Parse(text).Ref, Is.EqualTo(reference));
    }
}
