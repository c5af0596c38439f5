using Chatter.Bench.Cli;

// dotnet run -c Release --project Chatter.Bench -- SCENARIO [options]   (BenchCommands.Usage lists them)
return await BenchCommands.RunAsync(args);
