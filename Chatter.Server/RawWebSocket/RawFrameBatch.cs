using System.Globalization;
using System.Text;

namespace Chatter.Server.RawWebSocket;

/// <summary>
/// Chat frames that one raw client sent back to back, handed to the hub as one call (<see cref="Hubs.ChatHub.SendFrames"/>)
/// so that the store commits them together: the hub runs one call per connection at a time, so a sender whose frames
/// went one call each would wait for one commit per frame. The hub answers each frame in order, exactly as it would
/// have answered it alone.
/// </summary>
public sealed class RawFrameBatch(BatchedFrame[] frames)
{
    /// <summary>The most frames in one batch; more waiting frames go in the next call.</summary>
    public const int MaxFrames = 128;

    /// <summary>The frames in the order the client sent them.</summary>
    public BatchedFrame[] Frames { get; } = frames;

    /// <summary>
    /// The invocation id of a batch: <c>*</c>, then for each frame <c>-</c> (no ref) or the ref's length, <c>:</c> and
    /// the ref, so the protocol can answer every frame even when the whole call fails.
    /// </summary>
    public static string InvocationId(BatchedFrame[] frames)
    {
        var id = new StringBuilder("*");
        foreach (var frame in frames)
        {
            if (frame.Reference is null)
            {
                id.Append('-');
            }
            else
            {
                id.Append(frame.Reference.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(frame.Reference);
            }
        }

        return id.ToString();
    }

    /// <summary>Whether an invocation id is a batch's.</summary>
    public static bool IsBatchId(string? invocationId) => invocationId is ['*', ..];

    /// <summary>The refs a batch's invocation id carries, one per frame (null for a frame without one).</summary>
    public static List<string?> ReferencesOf(string invocationId)
    {
        var references = new List<string?>();
        var at = 1;
        while (at < invocationId.Length)
        {
            if (invocationId[at] == '-')
            {
                references.Add(null);
                at++;
                continue;
            }

            var colon = invocationId.IndexOf(':', at);
            var length = int.Parse(invocationId.AsSpan(at, colon - at), CultureInfo.InvariantCulture);
            references.Add(invocationId.Substring(colon + 1, length));
            at = colon + 1 + length;
        }

        return references;
    }
}
