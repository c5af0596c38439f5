namespace Chatter.Bench.Measurement;

/// <summary>Bytes allocated (sampled every ~100 KB), collections per generation, and the types that allocated most.</summary>
internal sealed record AllocationSample(long Bytes, long Gen0, long Gen1, long Gen2, IReadOnlyList<(string Type, long Bytes)> TopTypes);
