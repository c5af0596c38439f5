namespace Chatter.Server.Configuration;

/// <summary>
/// How Chatter's host is made, shared by the server and the <c>users</c> command so that both read exactly the same
/// configuration: appsettings.json and appsettings.{Environment}.json beside the binary, environment variables
/// (<c>ASPNETCORE_</c>- and <c>DOTNET_</c>-prefixed and plain) and the command line.
/// </summary>
public static class ChatterHostOptions
{
    /// <summary>
    /// The builder's options for <paramref name="args"/>. appsettings.json ships beside the binary (the content root);
    /// users.json and chatter.db are found from the working directory.
    /// </summary>
    public static WebApplicationOptions For(string[] args)
        => new() { Args = args, ContentRootPath = AppContext.BaseDirectory };

    /// <summary>The configuration the server would run with for <paramref name="args"/>, without starting anything (the caller disposes it).</summary>
    public static ConfigurationManager ReadConfiguration(string[] args)
        => WebApplication.CreateBuilder(For(args)).Configuration;
}
