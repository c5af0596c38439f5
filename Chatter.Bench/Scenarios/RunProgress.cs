namespace Chatter.Bench.Scenarios;

/// <summary>The live progress line: the running scenario sets <see cref="Describe"/>, the console shows it a few times a second.</summary>
internal sealed class RunProgress
{
    private volatile Func<string> describe = () => "starting";

    public Func<string> Describe
    {
        get => describe;
        set => describe = value;
    }

    /// <summary>Shows a fixed phase (connecting, draining…).</summary>
    public void Phase(string text) => describe = () => text;
}
