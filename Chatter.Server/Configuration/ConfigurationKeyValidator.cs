using Microsoft.Extensions.Options;

namespace Chatter.Server.Configuration;

/// <summary>
/// The base of every component's options validator: runs the source-generated checks of the options' attributes and
/// names each bad value by its configuration key (<c>Chatter:History:ReplayLimit</c>), the name a user sets it by,
/// then adds the component's own <see cref="Rules"/>.
/// </summary>
public abstract class ConfigurationKeyValidator<TOptions>(IValidateOptions<TOptions> generated, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly string Member = typeof(TOptions).Name + ".";

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        var result = generated.Validate(name, options);
        if (result.Failed)
        {
            failures.AddRange(result.Failures?.Select(NameTheKey) ?? [result.FailureMessage]);
        }

        failures.AddRange(Rules(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The checks that attributes cannot state, each failure naming its key. None by default.</summary>
    protected virtual IEnumerable<string> Rules(TOptions options) => [];

    /// <summary>"ReplayLimit: The field HistoryOptions.ReplayLimit must be ..." → "Chatter:History:ReplayLimit is invalid: The field ...".</summary>
    private string NameTheKey(string failure)
    {
        var at = failure.IndexOf(Member, StringComparison.Ordinal);
        if (at < 0)
        {
            return failure;
        }

        var start = at + Member.Length;
        var end = start;
        while (end < failure.Length && (char.IsLetterOrDigit(failure[end]) || failure[end] is '_' or '.'))
        {
            end++;
        }

        var member = failure[start..end].TrimEnd('.');
        return member.Length == 0
            ? failure
            : $"{section}:{member.Replace('.', ':')} is invalid: {failure[(failure.IndexOf(": ", StringComparison.Ordinal) + 2)..]}";
    }
}
