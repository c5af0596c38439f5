using System.Text;

namespace Chatter.Server.History;

/// <summary>
/// What PostgreSQL's <c>text</c> cannot hold although a .NET string can: the character U+0000, and a lone surrogate
/// (which has no UTF-8 form). Such a message is refused on its own, before it joins a batch of other senders' messages.
/// </summary>
internal static class PostgresText
{
    /// <summary>Why <paramref name="value"/> cannot be stored in PostgreSQL, or null when it can.</summary>
    public static string? Refusal(string value)
    {
        var span = value.AsSpan();
        if (span.Contains('\0'))
        {
            return "the PostgreSQL history cannot store the character U+0000";
        }

        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
        {
            while (!span.IsEmpty)
            {
                if (Rune.DecodeFromUtf16(span, out _, out var used) != System.Buffers.OperationStatus.Done)
                {
                    return "the text holds a lone surrogate, which has no UTF-8 form";
                }

                span = span[used..];
            }
        }

        return null;
    }
}
