using Chatter.Bench;

// dotnet run -c Release --project Chatter.Bench -- SCENARIO [--name value ...]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Chatter.Bench store [--rows 1000000] [--threads 100] [--writers 64] [--path FILE | --redis HOST:PORT]");
    return args.Length == 0 ? 2 : 0;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

return args[0] switch
{
    "store" => await StoreBenchmark.RunAsync(options),
    _ => Fail($"unknown scenario '{args[0]}'"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
