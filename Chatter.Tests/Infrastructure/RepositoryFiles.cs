namespace Chatter.Tests.Infrastructure;

/// <summary>Files of the repository itself (not of a test server), found by walking up from the test assembly to <c>Chatter.sln</c>.</summary>
public static class RepositoryFiles
{
    /// <summary>The directory that holds <c>Chatter.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The full path of <paramref name="relativePath"/> (segments separated by <c>/</c>) under <see cref="Root"/>.</summary>
    public static string PathOf(string relativePath)
        => Path.Combine([Root, .. relativePath.Split('/')]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Chatter.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Chatter.sln not found above {TestContext.CurrentContext.TestDirectory}");
    }
}
