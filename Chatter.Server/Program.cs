using Chatter.Server.Authentication;
using Chatter.Server.Hosting;
using Serilog;

if (args is ["users", .. var command])
{
    // User management (users add/remove/list/hash-all) edits users.json and exits; the server is not started.
    var settings = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();
    return UsersCommand.Run(command, settings[$"{ChatterOptions.Section}:{nameof(ChatterOptions.UsersFile)}"] ?? "users.json");
}

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    // appsettings.json ships beside the binary; users.json and chatter.db are found from the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddChatter();

    var app = builder.Build();
    app.MapChatter();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "Chatter could not start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
