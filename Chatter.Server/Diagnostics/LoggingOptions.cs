using System.ComponentModel.DataAnnotations;

namespace Chatter.Server.Diagnostics;

/// <summary><c>Chatter:Logging</c>.</summary>
public sealed class LoggingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chatter:Logging";

    /// <summary>
    /// Console log format: <c>text</c> (default, for people), <c>json</c> (Serilog's compact JSON, one event a
    /// line, for Loki, Elastic or Seq) or <c>none</c> (no console; sinks under <c>Serilog:WriteTo</c> still write).
    /// </summary>
    [Required]
    [RegularExpression("^(text|json|none)$")]
    public string Format { get; set; } = "text";
}
