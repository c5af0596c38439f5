using Chatter.Server;
using Chatter.Server.Authentication;
using Chatter.Server.Configuration;
using Chatter.Server.Hosting;
using Serilog;

if (args is ["users", ..])
{
    // users add/remove/list/hash-all: edits the users file the server reads, and exits; the server is not started.
    return UsersCommand.Run(args);
}

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(ChatterHostOptions.For(args));
    builder.ListenOnDefaultAddressUnlessConfigured();
    // Every component's registration, one line each: ChatterApp.cs.
    ChatterApp.Configure(builder);

    var app = builder.Build();
    // Every middleware and endpoint, in the order a request meets them: ChatterApp.cs.
    ChatterApp.Map(app);
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
