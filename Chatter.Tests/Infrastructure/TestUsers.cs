namespace Chatter.Tests.Infrastructure;

/// <summary>Users files for tests that need more users than <see cref="ChatterServer.DefaultUsers"/>.</summary>
public static class TestUsers
{
    /// <summary><paramref name="prefix"/>0 … <paramref name="prefix"/>(count-1), each with the password of <see cref="PasswordOf"/>.</summary>
    public static Dictionary<string, string> Numbered(int count, string prefix = "u")
        => Enumerable.Range(0, count).ToDictionary(i => $"{prefix}{i}", i => PasswordOf($"{prefix}{i}"));

    /// <summary>The password <see cref="Numbered"/> gives <paramref name="user"/>.</summary>
    public static string PasswordOf(string user) => $"pw-{user}";
}
