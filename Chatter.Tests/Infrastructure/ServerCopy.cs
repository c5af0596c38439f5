namespace Chatter.Tests.Infrastructure;

/// <summary>
/// Chatter.Server's program (its assembly, the assemblies beside it, its runtime files and appsettings.json) copied into
/// a directory of the test's, so that a test can put an appsettings.{Environment}.json beside it without changing the
/// build that every other test runs.
/// </summary>
public static class ServerCopy
{
    /// <summary>Copies the program into <paramref name="directory"/>; returns the path of its Chatter.Server.dll.</summary>
    public static string Create(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".dll", StringComparison.Ordinal)
                || name is "Chatter.Server.deps.json" or "Chatter.Server.runtimeconfig.json" or "appsettings.json")
            {
                File.Copy(file, Path.Combine(directory, name));
            }
        }

        return Path.Combine(directory, "Chatter.Server.dll");
    }
}
