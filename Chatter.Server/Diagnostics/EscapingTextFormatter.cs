using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Chatter.Server.Diagnostics;

/// <summary>
/// The text console layout, with every control character (newlines included) and line or paragraph separator in a
/// string property written as an escape (<c>\n</c>, <c>\u001b</c>), so that text a client sent (a thread, a message, a
/// refusal's reason) cannot start a line of its own and forge a log event (REVIEW L5). The exception keeps its lines.
/// </summary>
internal sealed class EscapingTextFormatter(string outputTemplate, IFormatProvider formatProvider) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter inner = new(outputTemplate, formatProvider);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (!logEvent.Properties.Values.Any(NeedsEscape))
        {
            inner.Format(logEvent, output);
            return;
        }

        var properties = logEvent.Properties.Select(p => new LogEventProperty(p.Key, Escape(p.Value)));
        inner.Format(new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception, logEvent.MessageTemplate, properties), output);
    }

    private static bool NeedsEscape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } => text.Any(IsUnsafe),
        SequenceValue sequence => sequence.Elements.Any(NeedsEscape),
        StructureValue structure => structure.Properties.Any(p => NeedsEscape(p.Value)),
        DictionaryValue dictionary => dictionary.Elements.Any(e => NeedsEscape(e.Key) || NeedsEscape(e.Value)),
        _ => false,
    };

    private static LogEventPropertyValue Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when text.Any(IsUnsafe) => new ScalarValue(Escape(text)),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Escape)),
        StructureValue structure => new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e => KeyValuePair.Create((ScalarValue)Escape(e.Key), Escape(e.Value)))),
        _ => value,
    };

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when IsUnsafe(c) => escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
