namespace Chatter.Bench.Measurement;

/// <summary>A process's CPU time so far and its resident memory now.</summary>
internal readonly record struct ProcessSample(TimeSpan Cpu, long RssBytes);
